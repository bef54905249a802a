#include "nn/trainable_conv2d.h"

#include <cassert>

namespace blastscan {

namespace {

using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;
constexpr auto kDirect = dnnl::algorithm::convolution_direct;
// ReLU's derivative from its output: exact, and the pre-activation need not be kept.
constexpr auto kReluFromDst = dnnl::algorithm::eltwise_relu_use_dst_for_bwd;

}  // namespace

TrainableConv2d::TrainableConv2d(const dnnl::engine& engine, const dnnl::memory::desc& src,
                                 const dnnl::memory::desc& dst, int KH, int KW, const Conv2dParams& p,
                                 bool with_backward)
    : KH_(KH), KW_(KW), IC_(src.dims()[1]), OC_(dst.dims()[1]), relu_(p.relu), with_backward_(with_backward),
      engine_(engine), src_desc_(src) {
  const dnnl::memory::dims wdims{OC_, IC_, KH_, KW_}, strides{p.SH, p.SW}, pad_l{p.PH_L, p.PW_L},
      pad_r{p.PH_R, p.PW_R};
  const dnnl::memory::desc any_weights(wdims, dt::f32, tag::any), bias({OC_}, dt::f32, tag::x);

  dnnl::primitive_attr attr;
  if (relu_) {
    dnnl::post_ops ops;
    ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
    attr.set_post_ops(ops);
  }
  const auto prop = with_backward ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference;
  fwd_pd_ = {{prop, kDirect, src, any_weights, bias, dst, strides, pad_l, pad_r}, attr, engine};
  fwd_ = dnnl::convolution_forward(fwd_pd_);
  hwio_desc_ = dnnl::memory::desc(wdims, dt::f32, tag::hwio);
  hwio_to_layout_ = dnnl::reorder(dnnl::reorder::primitive_desc(engine, hwio_desc_, engine, fwd_pd_.weights_desc()));
  layout_to_hwio_ = dnnl::reorder(dnnl::reorder::primitive_desc(engine, fwd_pd_.weights_desc(), engine, hwio_desc_));
  if (!with_backward) return;

  bwd_data_pd_ = {{kDirect, src, any_weights, dst, strides, pad_l, pad_r}, engine, fwd_pd_};
  bwd_weights_pd_ = {{kDirect, src, any_weights, bias, dst, strides, pad_l, pad_r}, engine, fwd_pd_};
  bwd_data_ = dnnl::convolution_backward_data(bwd_data_pd_);
  bwd_weights_ = dnnl::convolution_backward_weights(bwd_weights_pd_);
  if (relu_) {
    const dnnl::eltwise_forward::primitive_desc relu_fwd({dnnl::prop_kind::forward_training, kReluFromDst, dst}, engine);
    relu_bwd_pd_ = {{kReluFromDst, dst, dst}, engine, relu_fwd};
    relu_bwd_ = dnnl::eltwise_backward(relu_bwd_pd_);
    diff_pre_ = dnnl::memory(dst, engine);
  }
  // On AVX-512 backward-weights writes the forward layout itself (both OIhw16i16o): the
  // gradient lands where the optimiser reads it. Elsewhere it goes through a scratch.
  if (bwd_weights_pd_.diff_weights_desc() != fwd_pd_.weights_desc()) {
    diff_weights_scratch_ = dnnl::memory(bwd_weights_pd_.diff_weights_desc(), engine);
    diff_weights_to_layout_ = dnnl::reorder(
        dnnl::reorder::primitive_desc(engine, bwd_weights_pd_.diff_weights_desc(), engine, fwd_pd_.weights_desc()));
  }
  if (bwd_data_pd_.weights_desc() != fwd_pd_.weights_desc()) {
    weights_bwd_ = dnnl::memory(bwd_data_pd_.weights_desc(), engine);
    to_bwd_weights_ = dnnl::reorder(
        dnnl::reorder::primitive_desc(engine, fwd_pd_.weights_desc(), engine, bwd_data_pd_.weights_desc()));
  }
  diff_src_ = dnnl::memory(src, engine);
  diff_src_sum_ = GradientSum(engine, src, src);
}

void TrainableConv2d::from_hwio(dnnl::stream& stream, const float* hwio, float* layout) const {
  dnnl::memory from(hwio_desc_, engine_, const_cast<float*>(hwio)), to(fwd_pd_.weights_desc(), engine_, layout);
  hwio_to_layout_.execute(stream, from, to);
  stream.wait();
}

void TrainableConv2d::to_hwio(dnnl::stream& stream, const float* layout, float* hwio) const {
  dnnl::memory from(fwd_pd_.weights_desc(), engine_, const_cast<float*>(layout)), to(hwio_desc_, engine_, hwio);
  layout_to_hwio_.execute(stream, from, to);
  stream.wait();
}

void TrainableConv2d::bind(const ConvParameterBuffers& b) {
  weights_ = dnnl::memory(fwd_pd_.weights_desc(), engine_, b.weights);
  bias_ = dnnl::memory({{OC_}, dt::f32, tag::x}, engine_, b.bias);
  if (!with_backward_) return;
  diff_weights_ = dnnl::memory(fwd_pd_.weights_desc(), engine_, b.diff_weights);
  diff_bias_ = dnnl::memory(bwd_weights_pd_.diff_bias_desc(), engine_, b.diff_bias);
  if (!to_bwd_weights_) weights_bwd_ = weights_;
}

void TrainableConv2d::weights_changed(dnnl::stream& stream) {
  if (with_backward_ && to_bwd_weights_) to_bwd_weights_.execute(stream, weights_, weights_bwd_);
}

// ---- forward

void TrainableConv2d::forward(dnnl::stream& stream, const dnnl::memory& src, const dnnl::memory& dst) {
  assert(weights_ && "bind() first");
  src_ = src;
  dst_ = dst;
  fwd_.execute(stream, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights_}, {DNNL_ARG_BIAS, bias_},
                        {DNNL_ARG_DST, dst}});
}

// ---- backward

void TrainableConv2d::backward(dnnl::stream& stream, const dnnl::memory& diff_dst, const dnnl::memory* diff_src,
                               GradientWrite diff_src_write) {
  assert(with_backward_);
  const dnnl::memory& diff_pre = relu_ ? diff_pre_ : diff_dst;
  if (relu_)
    relu_bwd_.execute(stream, {{DNNL_ARG_DST, dst_}, {DNNL_ARG_DIFF_DST, diff_dst}, {DNNL_ARG_DIFF_SRC, diff_pre_}});

  const dnnl::memory& diff_weights = diff_weights_scratch_ ? diff_weights_scratch_ : diff_weights_;
  bwd_weights_.execute(stream, {{DNNL_ARG_SRC, src_}, {DNNL_ARG_DIFF_DST, diff_pre},
                                {DNNL_ARG_DIFF_WEIGHTS, diff_weights}, {DNNL_ARG_DIFF_BIAS, diff_bias_}});
  if (diff_weights_scratch_) diff_weights_to_layout_.execute(stream, diff_weights_scratch_, diff_weights_);

  if (!diff_src) return;
  assert(diff_src->get_desc() == src_desc_);
  // Assigning, the primitive writes the caller's buffer itself: no scratch, no copy.
  const bool assign = diff_src_write == GradientWrite::assign;
  bwd_data_.execute(stream, {{DNNL_ARG_DIFF_DST, diff_pre}, {DNNL_ARG_WEIGHTS, weights_bwd_},
                             {DNNL_ARG_DIFF_SRC, assign ? *diff_src : diff_src_}});
  if (!assign) diff_src_sum_.add(stream, diff_src_, *diff_src);
}

std::string TrainableConv2d::impl() const {
  if (!with_backward_) return fwd_pd_.impl_info_str();
  return std::string(fwd_pd_.impl_info_str()) + " / " + bwd_data_pd_.impl_info_str() + " / " + bwd_weights_pd_.impl_info_str();
}

}  // namespace blastscan
