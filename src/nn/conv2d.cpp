#include "nn/conv2d.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace blastscan {

namespace {

using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

bool is_int8(dt type) { return type == dt::u8 || type == dt::s8; }

// Per output channel: the largest |weight|, mapped to 127 (symmetric s8, no zero point).
std::vector<float> weight_scales(const Tensor& hwio) {
  const int64_t OC = hwio.dim(3), rows = int64_t(hwio.size()) / OC;
  std::vector<float> scales(size_t(OC), 0.f);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t oc = 0; oc < OC; ++oc) scales[size_t(oc)] = std::max(scales[size_t(oc)], std::abs(hwio.data[size_t(r * OC + oc)]));
  for (auto& s : scales) s = s > 0.f ? s / 127.f : 1.f;
  return scales;
}

// Where oneDNN 2.6's Winograd (jit_fp32_wino_2x3, AVX-512) beat its direct kernel, one thread,
// minimum of 12 runs on a Xeon with AVX-512 (family 6 model 167): 35x35 64->96 1.42 -> 0.85 ms and
// 96->96 2.13 -> 1.16 ms, but 71x71 80->192 12.5 -> 14.3 ms and 8x8 448->384 2.3 -> 3.2 ms. So:
// 3x3 stride 1, f32, >= 64 input channels, on mid-sized images (Inception V3's 35x35 3x3 convs).
bool winograd_pays(const dnnl::memory::desc& src, const dnnl::memory::desc& dst, const dnnl::memory::dims& wdims,
                   const Conv2dParams& p) {
  const auto OH = dst.dims()[2], OW = dst.dims()[3];
  return src.data_type() == dt::f32 && wdims[2] == 3 && wdims[3] == 3 && p.SH == 1 && p.SW == 1 && wdims[1] >= 64 &&
         std::min(OH, OW) >= 16 && std::max(OH, OW) <= 64;
}

dnnl::convolution_forward::primitive_desc make_pd(const dnnl::engine& engine, const dnnl::memory::desc& src,
                                                  const dnnl::memory::desc& dst, const dnnl::memory::dims& wdims,
                                                  const Conv2dParams& p, const std::vector<float>& output_scales,
                                                  dnnl::algorithm algorithm) {
  const dt src_type = src.data_type();
  const dt weights_type = is_int8(src_type) ? dt::s8 : src_type;
  const dnnl::memory::desc weights(wdims, weights_type, tag::any);
  const dnnl::memory::desc bias({wdims[0]}, dt::f32, tag::x);
  const dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_inference, algorithm, src, weights, bias, dst, {p.SH, p.SW}, {p.PH_L, p.PW_L},
                                             {p.PH_R, p.PW_R});
  dnnl::primitive_attr attr;
  // oneDNN 2.6: a library-managed scratchpad "cannot migrate between threads" (each primitive
  // must run on the thread that created it); a user-managed one "is thread-safe as long as the
  // scratchpad buffers are not used concurrently by two primitive executions"
  // (dnnl::scratchpad_mode). The network runs branches and images on several threads.
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  // int8 (oneDNN 2.x): dst = output_scale[oc] * (sum(src_int * weights_int) + bias), then ReLU.
  if (!output_scales.empty()) attr.set_output_scales(1 << 1, output_scales);
  if (p.relu) {
    dnnl::post_ops ops;
    ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
    attr.set_post_ops(ops);
  }
  return {desc, attr, engine};
}

}  // namespace

Conv2d::Conv2d(const dnnl::engine& engine, const dnnl::memory::desc& src, const dnnl::memory::desc& dst,
               const Tensor& weights_hwio, const Tensor& bias, const Conv2dParams& params, Conv2dScales scales,
               std::optional<dnnl::algorithm> algorithm) {
  assert(weights_hwio.shape.size() == 4 && bias.size() == weights_hwio.dim(3));
  const auto KH = weights_hwio.dim(0), KW = weights_hwio.dim(1), IC = weights_hwio.dim(2), OC = weights_hwio.dim(3);
  const bool int8 = is_int8(src.data_type());
  std::vector<float> w_scales, output_scales, bias_values(bias.data.begin(), bias.data.end());
  if (int8) {
    // x_f32 = s * x_int for src, weights (per oc) and dst; the accumulator is in units of
    // s_src * s_w[oc], so the bias is divided by that and the output multiplied by it / s_dst.
    w_scales = weight_scales(weights_hwio);
    for (int64_t oc = 0; oc < OC; ++oc) {
      const float acc_unit = scales.src * w_scales[size_t(oc)];
      output_scales.push_back(acc_unit / scales.dst);
      bias_values[size_t(oc)] /= acc_unit;
    }
  }
  const dnnl::memory::dims wdims{OC, IC, KH, KW};
  algorithm_ = algorithm.value_or(winograd_pays(src, dst, wdims, params) ? dnnl::algorithm::convolution_winograd
                                                                               : dnnl::algorithm::convolution_direct);
  try {
    pd_ = make_pd(engine, src, dst, wdims, params, output_scales, algorithm_);
  } catch (const dnnl::error&) {
    if (algorithm || algorithm_ == dnnl::algorithm::convolution_direct) throw;
    algorithm_ = dnnl::algorithm::convolution_direct;  // no Winograd kernel on this CPU
    pd_ = make_pd(engine, src, dst, wdims, params, output_scales, algorithm_);
  }
  primitive_ = dnnl::convolution_forward(pd_);

  // Reorder the HWIO weights once into the primitive's layout (oneDNN's cnn_inference example);
  // for int8 the reorder also quantises each output channel by 1 / its scale.
  dnnl::memory user_weights({{OC, IC, KH, KW}, dt::f32, tag::hwio}, engine, const_cast<float*>(weights_hwio.ptr()));
  weights_ = dnnl::memory(pd_.weights_desc(), engine);
  dnnl::primitive_attr reorder_attr;
  if (int8) {
    std::vector<float> inverse(w_scales.size());
    std::transform(w_scales.begin(), w_scales.end(), inverse.begin(), [](float s) { return 1.f / s; });
    reorder_attr.set_output_scales(1 << 0, inverse);
  }
  dnnl::stream stream(engine);
  dnnl::reorder(dnnl::reorder::primitive_desc(engine, user_weights.get_desc(), engine, weights_.get_desc(), reorder_attr))
      .execute(stream, user_weights, weights_);
  bias_ = dnnl::memory(pd_.bias_desc(), engine);
  std::copy(bias_values.begin(), bias_values.end(), static_cast<float*>(bias_.get_data_handle()));
  stream.wait();
  own_scratchpad_ = dnnl::memory(pd_.scratchpad_desc(), engine);
}

bool Conv2d::share_weights(const Conv2d& other) {
  if (other.weights_.get_desc() != weights_.get_desc()) return false;
  weights_ = other.weights_;
  bias_ = other.bias_;
  return true;
}

std::unordered_map<int, dnnl::memory> Conv2d::args(const dnnl::memory& src, const dnnl::memory& dst,
                                                   const dnnl::memory& scratchpad) const {
  return {{DNNL_ARG_SRC, src},
          {DNNL_ARG_WEIGHTS, weights_},
          {DNNL_ARG_BIAS, bias_},
          {DNNL_ARG_DST, dst},
          {DNNL_ARG_SCRATCHPAD, scratchpad}};
}

std::unordered_map<int, dnnl::memory> Conv2d::args(const dnnl::memory& src, const dnnl::memory& dst) const {
  return args(src, dst, own_scratchpad_);
}

}  // namespace blastscan
