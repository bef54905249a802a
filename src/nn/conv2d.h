// 2-D convolution on oneDNN with bias (BatchNorm folded in) and an optional fused ReLU.
// Shapes (oneDNN's words): src [N,IC,IH,IW], weights [OC,IC,KH,KW] (given as TF's HWIO),
// dst [N,OC,OH,OW]. Padding is explicit per side because TF "SAME" can be uneven.
// Forward inference only; backward comes with fine-tuning (see DESIGN.md).
#pragma once
#include <string>

#include <dnnl.hpp>

#include "tensor/tensor.h"

namespace blastscan {

struct Conv2dParams {
  int SH = 1, SW = 1;                   // strides
  int PH_L = 0, PH_R = 0, PW_L = 0, PW_R = 0;  // padding top/bottom, left/right
  bool relu = true;
};

class Conv2d {
 public:
  // src/dst may be format_tag::any; the primitive's choice is then in src_desc()/dst_desc().
  // Weights are reordered once, here, into the layout the primitive wants.
  Conv2d(const dnnl::engine& engine, const dnnl::memory::desc& src, const dnnl::memory::desc& dst,
         const Tensor& weights_hwio, const Tensor& bias, const Conv2dParams& params);

  dnnl::memory::desc src_desc() const { return pd_.src_desc(); }
  dnnl::memory::desc dst_desc() const { return pd_.dst_desc(); }
  std::string impl() const { return pd_.impl_info_str(); }

  // The primitive and its argument map, for a network that runs them many times.
  const dnnl::primitive& primitive() const { return primitive_; }
  std::unordered_map<int, dnnl::memory> args(const dnnl::memory& src, const dnnl::memory& dst) const;

 private:
  dnnl::convolution_forward::primitive_desc pd_;
  dnnl::convolution_forward primitive_;
  dnnl::memory weights_, bias_;
};

}  // namespace blastscan
