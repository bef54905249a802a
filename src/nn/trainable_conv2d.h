// A trainable 2-D convolution on oneDNN: bias (BatchNorm folded in and frozen, as TF-Slim's
// fine-tuning with is_training=False keeps it) and an optional fused ReLU, forward_training and
// backward side by side (oneDNN's cnn_training_f32: each backward descriptor is hinted by the
// forward one).
// Shapes (oneDNN's words): src [N,IC,IH,IW], dst [N,OC,OH,OW]. The parameters live in buffers
// the caller owns, in the layout the forward primitive reads (weights_desc(), blocked on
// AVX-512), so the optimiser updates them where the convolution reads them: no copy into
// and out of TF's HWIO per step. from_hwio()/to_hwio() convert any per-weight vector
// (weights, gradients, Adam moments) for checkpoints and the frozen model.
// The inference path is nn/conv2d.h; this one keeps what backward needs:
//   forward  remembers src and dst (ReLU's backward reads the saved dst: dst > 0 <=> pre > 0)
//   backward diff_weights = src^T * diff_pre, diff_bias = sum diff_pre (written, each step's own),
//            diff_src += diff_pre * W^T (or =, GradientWrite::assign: the first consumer of src)
#pragma once
#include <string>

#include <dnnl.hpp>

#include "nn/conv2d.h"
#include "nn/gradient_sum.h"

namespace blastscan {

// User-side parameter buffers of one conv (owned by the caller).
struct ConvParameterBuffers {
  float* weights = nullptr;       // weights_layout_size() floats, in weights_desc()'s layout
  float* bias = nullptr;          // [OC]
  float* diff_weights = nullptr;  // same layouts: gradients, overwritten by each backward
  float* diff_bias = nullptr;
};

class TrainableConv2d {
 public:
  // src/dst are the activation layouts the caller allocates (no format_tag::any).
  // with_backward = false: a frozen layer below a cut, forward_inference only.
  TrainableConv2d(const dnnl::engine& engine, const dnnl::memory::desc& src, const dnnl::memory::desc& dst, int KH,
                  int KW, const Conv2dParams& params, bool with_backward = true);

  // The weights' layout: the forward primitive's choice (padded past IC/OC where it blocks).
  dnnl::memory::desc weights_desc() const { return fwd_pd_.weights_desc(); }
  size_t weights_layout_size() const { return fwd_pd_.weights_desc().get_size() / sizeof(float); }
  // TF's HWIO [KH,KW,IC,OC] <-> weights_desc()'s layout (the padding written as zeros).
  void from_hwio(dnnl::stream& stream, const float* hwio, float* layout) const;
  void to_hwio(dnnl::stream& stream, const float* layout, float* hwio) const;

  // Where the parameters live; call once, then weights_changed() after every change to them.
  void bind(const ConvParameterBuffers& buffers);
  // The backward-data primitive's copy of the weights, where it wants another layout.
  void weights_changed(dnnl::stream& stream);

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

  // Over the caller's buffers: weights and their gradient in weights_desc(), bias [OC].
  dnnl::memory weights_, diff_weights_, bias_, diff_bias_;
  dnnl::memory weights_bwd_;                // backward-data's layout (weights_ itself when the same)
  dnnl::reorder to_bwd_weights_, hwio_to_layout_, layout_to_hwio_;
  dnnl::memory::desc hwio_desc_, src_desc_;
  // Backward-weights' own layout, when it is not the forward one: a scratch and its reorder.
  dnnl::memory diff_weights_scratch_;
  dnnl::reorder diff_weights_to_layout_;
  GradientSum diff_src_sum_;
  dnnl::memory diff_pre_, diff_src_;  // scratch, overwritten by each backward

  // Saved by forward for backward.
  dnnl::memory src_, dst_;
};

}  // namespace blastscan
