// Plain-loop reference layers written from the ops' definitions (TensorFlow's Conv2D, MaxPool
// and AvgPool on NHWC with explicit pads), not from our oneDNN code: the oracle for tests/nn.
#pragma once
#include <algorithm>
#include <limits>
#include <vector>

namespace blastscan::oracle {

struct Geometry {
  int N, H, W, C;            // src NHWC
  int KH, KW, SH, SW;
  int PT, PB, PL, PR;        // pads top, bottom, left, right
  int OH() const { return (H + PT + PB - KH) / SH + 1; }
  int OW() const { return (W + PL + PR - KW) / SW + 1; }
};

// TensorFlow's padding rule, from its documentation: SAME gives ceil(in/stride) outputs and
// pads max((out-1)*stride + kernel - in, 0) in total, the odd pixel after (bottom/right).
inline Geometry tf_geometry(int N, int H, int W, int C, int KH, int KW, int stride, bool same) {
  Geometry g{N, H, W, C, KH, KW, stride, stride, 0, 0, 0, 0};
  if (!same) return g;
  const auto pads = [&](int in, int k, int& before, int& after) {
    const int out = (in + stride - 1) / stride;
    const int total = std::max((out - 1) * stride + k - in, 0);
    before = total / 2;
    after = total - before;
  };
  pads(H, KH, g.PT, g.PB);
  pads(W, KW, g.PL, g.PR);
  return g;
}

// dst[n,oh,ow,oc] = relu?(bias[oc] + sum src[n,ih,iw,ic] * weights[kh,kw,ic,oc]) with zero padding.
inline std::vector<float> conv2d(const Geometry& g, int OC, const std::vector<float>& src,
                                 const std::vector<float>& weights, const std::vector<float>& bias, bool relu) {
  std::vector<float> dst(size_t(g.N) * g.OH() * g.OW() * OC);
  for (int n = 0; n < g.N; ++n)
    for (int oh = 0; oh < g.OH(); ++oh)
      for (int ow = 0; ow < g.OW(); ++ow)
        for (int oc = 0; oc < OC; ++oc) {
          double acc = bias[size_t(oc)];
          for (int kh = 0; kh < g.KH; ++kh)
            for (int kw = 0; kw < g.KW; ++kw) {
              const int ih = oh * g.SH - g.PT + kh, iw = ow * g.SW - g.PL + kw;
              if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;
              for (int ic = 0; ic < g.C; ++ic)
                acc += double(src[((size_t(n) * g.H + ih) * g.W + iw) * g.C + ic]) *
                       weights[((size_t(kh) * g.KW + kw) * g.C + ic) * OC + oc];
            }
          dst[((size_t(n) * g.OH() + oh) * g.OW() + ow) * OC + oc] = relu ? std::max(0.0, acc) : float(acc);
        }
  return dst;
}

// Max, or average over the real (unpadded) pixels of each window, as TF's AvgPool does.
inline std::vector<float> pool2d(const Geometry& g, bool max, const std::vector<float>& src) {
  std::vector<float> dst(size_t(g.N) * g.OH() * g.OW() * g.C);
  for (int n = 0; n < g.N; ++n)
    for (int oh = 0; oh < g.OH(); ++oh)
      for (int ow = 0; ow < g.OW(); ++ow)
        for (int c = 0; c < g.C; ++c) {
          double acc = max ? -std::numeric_limits<double>::infinity() : 0.0;
          int count = 0;
          for (int kh = 0; kh < g.KH; ++kh)
            for (int kw = 0; kw < g.KW; ++kw) {
              const int ih = oh * g.SH - g.PT + kh, iw = ow * g.SW - g.PL + kw;
              if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;
              const double v = src[((size_t(n) * g.H + ih) * g.W + iw) * g.C + c];
              acc = max ? std::max(acc, v) : acc + v;
              ++count;
            }
          dst[((size_t(n) * g.OH() + oh) * g.OW() + ow) * g.C + c] = float(max ? acc : acc / count);
        }
  return dst;
}

}  // namespace blastscan::oracle
