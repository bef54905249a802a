// Trainable 2-D pooling on oneDNN, forward_training and backward side by side: max pooling
// keeps oneDNN's workspace (where each maximum came from) for its backward; average pooling
// excludes padding as TF's AvgPool with SAME padding does. A global average pool
// (Logits/AvgPool_1a_8x8) is one whose kernel is the whole map.
// Shapes: src [N,C,IH,IW], dst [N,C,OH,OW]. The inference path is nn/pool2d.h.
//   backward  diff_src += pool_backward(diff_dst)  (or =, GradientWrite::assign)
#pragma once
#include <string>

#include <dnnl.hpp>

#include "nn/gradient_sum.h"
#include "nn/pool2d.h"

namespace blastscan {

class TrainablePool2d {
 public:
  // with_backward = false: a frozen layer below a cut, forward_inference only.
  TrainablePool2d(const dnnl::engine& engine, const dnnl::memory::desc& src, const dnnl::memory::desc& dst,
                  const Pool2dParams& params, bool with_backward = true);

  void forward(dnnl::stream& stream, const dnnl::memory& src, const dnnl::memory& dst);
  // diff_src in the src layout of the constructor.
  void backward(dnnl::stream& stream, const dnnl::memory& diff_dst, const dnnl::memory& diff_src,
                GradientWrite diff_src_write = GradientWrite::add);
  std::string impl() const;

 private:
  dnnl::pooling_forward::primitive_desc fwd_pd_;
  dnnl::pooling_backward::primitive_desc bwd_pd_;
  dnnl::pooling_forward fwd_;
  dnnl::pooling_backward bwd_;
  dnnl::memory workspace_;  // max pooling only: written by forward, read by backward
  dnnl::memory diff_src_;   // scratch
  GradientSum diff_src_sum_;
};

}  // namespace blastscan
