#include "nn/conv2d.h"

#include <cassert>

namespace blastscan {

namespace {

using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

dnnl::convolution_forward::primitive_desc make_pd(const dnnl::engine& engine, const dnnl::memory::desc& src,
                                                  const dnnl::memory::desc& dst, const dnnl::memory::dims& wdims,
                                                  const Conv2dParams& p) {
  const dnnl::memory::desc weights(wdims, dt::f32, tag::any);
  const dnnl::memory::desc bias({wdims[0]}, dt::f32, tag::x);
  const dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                             src, weights, bias, dst, {p.SH, p.SW}, {p.PH_L, p.PW_L},
                                             {p.PH_R, p.PW_R});
  dnnl::primitive_attr attr;
  if (p.relu) {
    dnnl::post_ops ops;
    ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
    attr.set_post_ops(ops);
  }
  return {desc, attr, engine};
}

}  // namespace

Conv2d::Conv2d(const dnnl::engine& engine, const dnnl::memory::desc& src, const dnnl::memory::desc& dst,
               const Tensor& weights_hwio, const Tensor& bias, const Conv2dParams& params) {
  assert(weights_hwio.shape.size() == 4 && bias.size() == weights_hwio.dim(3));
  const auto KH = weights_hwio.dim(0), KW = weights_hwio.dim(1), IC = weights_hwio.dim(2), OC = weights_hwio.dim(3);
  pd_ = make_pd(engine, src, dst, {OC, IC, KH, KW}, params);
  primitive_ = dnnl::convolution_forward(pd_);

  // Reorder the HWIO weights once into the primitive's layout (oneDNN's cnn_inference example).
  dnnl::memory user_weights({{OC, IC, KH, KW}, dt::f32, tag::hwio}, engine, const_cast<float*>(weights_hwio.ptr()));
  weights_ = dnnl::memory(pd_.weights_desc(), engine);
  dnnl::stream stream(engine);
  dnnl::reorder(user_weights, weights_).execute(stream, user_weights, weights_);
  bias_ = dnnl::memory(pd_.bias_desc(), engine);
  std::copy(bias.data.begin(), bias.data.end(), static_cast<float*>(bias_.get_data_handle()));
  stream.wait();
}

std::unordered_map<int, dnnl::memory> Conv2d::args(const dnnl::memory& src, const dnnl::memory& dst) const {
  return {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights_}, {DNNL_ARG_BIAS, bias_}, {DNNL_ARG_DST, dst}};
}

}  // namespace blastscan
