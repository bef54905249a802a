// Concatenation along channels with its backward: the gradient of each input is its channel
// slice of diff_dst, added into the input's gradient (gradients add up, nn/gradient_sum.h), or
// copied into it where the concatenation is that input's first consumer in backward order.
// Shapes: src_i [N,C_i,H,W], dst [N,sum C_i,H,W].
// Both directions copy: for a batch of N > 1 a channel slice of a blocked or NHWC buffer is
// strided, and oneDNN 2.6 runs convolutions with strided outputs only on its reference kernels
// (the inference Network avoids the copy by running image by image). At the top of
// Inception V3 an activation is small next to the convolutions (8x8x2048 floats per image
// against about 1 GFLOP), so the copy costs little.
#pragma once
#include <vector>

#include <dnnl.hpp>

#include "nn/gradient_sum.h"

namespace blastscan {

class TrainableConcat {
 public:
  TrainableConcat(const dnnl::engine& engine, const std::vector<dnnl::memory::desc>& srcs,
                  const dnnl::memory::desc& dst);

  void forward(dnnl::stream& stream, const std::vector<dnnl::memory>& srcs, const dnnl::memory& dst);
  // diff_srcs[i] += slice i of diff_dst, or = where writes[i] is assign (writes empty: all add)
  void backward(dnnl::stream& stream, const dnnl::memory& diff_dst, const std::vector<dnnl::memory>& diff_srcs,
                const std::vector<GradientWrite>& writes = {});

 private:
  dnnl::engine engine_;
  dnnl::concat fwd_;
  std::vector<dnnl::memory::desc> slices_;  // input i's channel range of dst
  std::vector<GradientSum> slice_sums_;
};

}  // namespace blastscan
