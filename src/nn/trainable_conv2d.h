// A trainable 2-D convolution on oneDNN: bias (BatchNorm folded in and frozen, as TF-Slim's
// fine-tuning with is_training=False keeps it) and an optional fused ReLU, forward_training and
// backward side by side (oneDNN's cnn_training_f32: each backward descriptor is hinted by the
// forward one; backward-weights picks its own weight layout and diff_weights is reordered back).
// Shapes (oneDNN's words): src [N,IC,IH,IW], dst [N,OC,OH,OW]; the parameters the optimiser
// sees are TF's HWIO weights [KH,KW,IC,OC] and bias [OC], in buffers the caller owns.
// The inference path is nn/conv2d.h; this one keeps what backward needs:
//   forward  remembers src and dst (ReLU's backward reads the saved dst: dst > 0 <=> pre > 0)
//   backward diff_weights += src^T * diff_pre, diff_bias += sum diff_pre,
//            diff_src += diff_pre * W^T (or =, GradientWrite::assign: the first consumer of src)
#pragma once
#include <string>

#include <dnnl.hpp>

#include "nn/conv2d.h"
#include "nn/gradient_sum.h"

namespace blastscan {

// User-side parameter buffers of one conv, HWIO weights then bias (owned by the caller).
struct ConvParameterBuffers {
  float* weights = nullptr;       // [KH,KW,IC,OC]
  float* bias = nullptr;          // [OC]
  float* diff_weights = nullptr;  // same shapes: gradients, added into
  float* diff_bias = nullptr;
};

class TrainableConv2d {
 public:
  // src/dst are the activation layouts the caller allocates (no format_tag::any).
  // with_backward = false: a frozen layer below a cut, forward_inference only.
  TrainableConv2d(const dnnl::engine& engine, const dnnl::memory::desc& src, const dnnl::memory::desc& dst, int KH,
                  int KW, const Conv2dParams& params, bool with_backward = true);

  // Where the parameters live; call once, then load_weights() after every change to them.
  void bind(const ConvParameterBuffers& buffers);
  // HWIO weights -> the forward and backward-data primitives' layouts (after each optimiser step).
  void load_weights(dnnl::stream& stream);

  void forward(dnnl::stream& stream, const dnnl::memory& src, const dnnl::memory& dst);
  // Gradients of the last forward. diff_src: null when nothing below needs it (the cut); its
  // layout is the src layout of the constructor.
  void backward(dnnl::stream& stream, const dnnl::memory& diff_dst, const dnnl::memory* diff_src,
                GradientWrite diff_src_write = GradientWrite::add);

  // The oneDNN implementations chosen: forward / backward-data / backward-weights.
  std::string impl() const;
  int64_t weight_count() const { return KH_ * KW_ * IC_ * OC_; }
  int OC() const { return static_cast<int>(OC_); }

 private:
  int64_t KH_, KW_, IC_, OC_;
  bool relu_, with_backward_;
  dnnl::engine engine_;
  dnnl::convolution_forward::primitive_desc fwd_pd_;
  dnnl::convolution_backward_data::primitive_desc bwd_data_pd_;
  dnnl::convolution_backward_weights::primitive_desc bwd_weights_pd_;
  dnnl::eltwise_backward::primitive_desc relu_bwd_pd_;
  dnnl::convolution_forward fwd_;
  dnnl::convolution_backward_data bwd_data_;
  dnnl::convolution_backward_weights bwd_weights_;
  dnnl::eltwise_backward relu_bwd_;

  ConvParameterBuffers user_;
  dnnl::memory user_weights_, user_diff_weights_, bias_;  // HWIO / [OC] over the caller's buffers
  dnnl::memory weights_fwd_, weights_bwd_;                // the primitives' layouts (may be one memory)
  dnnl::reorder to_fwd_weights_, to_bwd_weights_;
  GradientSum diff_weights_back_, diff_src_sum_;
  dnnl::memory diff_pre_, diff_weights_, diff_bias_, diff_src_;  // scratch, overwritten by each backward
  dnnl::memory::desc src_desc_;

  // Saved by forward for backward.
  dnnl::memory src_, dst_;
};

}  // namespace blastscan
