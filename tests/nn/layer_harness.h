// Runs one oneDNN layer on NHWC user buffers, so layer tests compare plain vectors.
#pragma once
#include <random>
#include <vector>

#include <dnnl.hpp>

namespace blastscan::testing {

inline dnnl::memory::desc nhwc_desc(int N, int C, int H, int W) {
  return {{N, C, H, W}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::nhwc};
}

template <class Layer>
void run_layer(const dnnl::engine& engine, const Layer& layer, std::vector<float>& src,
               const dnnl::memory::desc& src_desc, std::vector<float>& dst, const dnnl::memory::desc& dst_desc) {
  dnnl::stream stream(engine);
  dnnl::memory s(src_desc, engine, src.data()), d(dst_desc, engine, dst.data());
  auto args = layer.args(s, d);
  layer.primitive().execute(stream, args);
  stream.wait();
}

inline std::vector<float> random_vector(size_t n, unsigned seed, float lo = -1.f, float hi = 1.f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = u(rng);
  return v;
}

// Largest |a-b|, with the first index where it exceeds tol reported through `first_bad`.
inline float max_diff(const std::vector<float>& a, const std::vector<float>& b, float tol, long& first_bad) {
  float m = 0;
  first_bad = -1;
  for (size_t i = 0; i < a.size(); ++i) {
    const float d = std::abs(a[i] - b[i]);
    if (d > tol && first_bad < 0) first_bad = long(i);
    m = std::max(m, d);
  }
  return m;
}

}  // namespace blastscan::testing
