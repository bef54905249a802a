// 2-D convolution on oneDNN with bias (BatchNorm folded in) and an optional fused ReLU.
// Shapes (oneDNN's words): src [N,IC,IH,IW], weights [OC,IC,KH,KW] (given as TF's HWIO),
// dst [N,OC,OH,OW]. Padding is explicit per side because TF "SAME" can be uneven.
// Forward inference only; backward comes with fine-tuning (see DESIGN.md).
//
// Numerics are a parameter of how the primitive is compiled, not another layer: the data types
// come from the src/dst descriptors (f32, bf16, or u8/s8 for int8), and int8 adds the scales of
// src and dst (x_f32 = scale * x_int) from which the per-output-channel weight scales and the
// primitive's output scales follow. The scratchpad is user-managed (see scratchpad_desc()), so
// one primitive may run on any thread as long as each concurrent run has its own scratchpad.
//
// Algorithm: f32 3x3 stride-1 convs with >= 64 input channels on mid-sized images ask for
// oneDNN's Winograd F(2x2, 3x3) (AVX-512 only in oneDNN 2.6; direct everywhere else), 2.25x
// fewer multiplies at a slightly larger rounding error; conv2d.cpp has the measurements.
#pragma once
#include <optional>
#include <string>

#include <dnnl.hpp>

#include "tensor/tensor.h"

namespace blastscan {

struct Conv2dParams {
  int SH = 1, SW = 1;                   // strides
  int PH_L = 0, PH_R = 0, PW_L = 0, PW_R = 0;  // padding top/bottom, left/right
  bool relu = true;
};

// int8 only: src and dst quantization scales (x_f32 = scale * x_int8). Ignored for f32/bf16.
struct Conv2dScales {
  float src = 1.f, dst = 1.f;
};

class Conv2d {
 public:
  // src/dst may be format_tag::any; the primitive's choice is then in src_desc()/dst_desc().
  // Weights are reordered once, here, into the layout and data type the primitive wants
  // (f32 for f32 src, bf16 for bf16 src, s8 with per-output-channel scales for u8/s8 src).
  // `algorithm`: none picks as above; given, exactly that one (a part of a conv or its version for
  // another thread count then computes what the whole conv computes), or an error if oneDNN has none.
  Conv2d(const dnnl::engine& engine, const dnnl::memory::desc& src, const dnnl::memory::desc& dst,
         const Tensor& weights_hwio, const Tensor& bias, const Conv2dParams& params, Conv2dScales scales = {},
         std::optional<dnnl::algorithm> algorithm = std::nullopt);

  dnnl::memory::desc src_desc() const { return pd_.src_desc(); }
  dnnl::memory::desc dst_desc() const { return pd_.dst_desc(); }
  dnnl::memory::desc scratchpad_desc() const { return pd_.scratchpad_desc(); }
  std::string impl() const { return pd_.impl_info_str(); }
  dnnl::algorithm algorithm() const { return algorithm_; }

  // Use `other`'s reordered weights instead of this conv's own copy (the same conv compiled for
  // another thread count often wants the same layout). Returns false if the layouts differ.
  bool share_weights(const Conv2d& other);

  // The primitive and its argument map, for a network that runs them many times. The
  // scratchpad must hold scratchpad_desc() and must not be in use by another running primitive.
  const dnnl::primitive& primitive() const { return primitive_; }
  std::unordered_map<int, dnnl::memory> args(const dnnl::memory& src, const dnnl::memory& dst,
                                             const dnnl::memory& scratchpad) const;
  std::unordered_map<int, dnnl::memory> args(const dnnl::memory& src, const dnnl::memory& dst) const;

 private:
  dnnl::algorithm algorithm_ = dnnl::algorithm::convolution_direct;
  dnnl::convolution_forward::primitive_desc pd_;
  dnnl::convolution_forward primitive_;
  dnnl::memory weights_, bias_;
  dnnl::memory own_scratchpad_;  // for the two-argument args(): single-threaded callers
};

}  // namespace blastscan
