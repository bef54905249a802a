// Gradients add up (+=), as llm.c's backward passes do: one tensor feeds several branches of an
// Inception block, and each branch adds its share into the tensor's gradient. oneDNN's backward
// primitives overwrite their outputs, so a layer that adds writes into its own scratch and adds
// that into the caller's buffer with a reorder whose sum post-op keeps what is there
// (dst = src + dst). The same reorder may change layout on the way.
// Parameter gradients do not add: each weight belongs to one convolution, whose backward
// writes its gradient (nn/trainable_conv2d.h).
//
// An activation's gradient need not be zeroed at all: the consumer whose backward runs first
// assigns it (GradientWrite::assign: the primitive writes straight into it, or a plain reorder
// copies), and only the later ones add. The stack that orders the layers knows which is first.
#pragma once
#include <dnnl.hpp>

namespace blastscan {

enum class GradientWrite {
  add,     // gradient += this layer's share (another consumer already wrote)
  assign,  // gradient = this layer's share (the first, or only, consumer in backward order)
};

class GradientSum {
 public:
  GradientSum() = default;
  // Set up once for a pair of layouts (they may differ, and `from` may be a sub-memory view).
  GradientSum(const dnnl::engine& engine, const dnnl::memory::desc& from, const dnnl::memory::desc& to);
  // to += from
  void add(const dnnl::stream& stream, const dnnl::memory& from, const dnnl::memory& to) const;
  // to = from (add's layout change without the sum)
  void assign(const dnnl::stream& stream, const dnnl::memory& from, const dnnl::memory& to) const;
  void write(GradientWrite how, const dnnl::stream& stream, const dnnl::memory& from, const dnnl::memory& to) const {
    how == GradientWrite::add ? add(stream, from, to) : assign(stream, from, to);
  }

 private:
  dnnl::reorder add_, assign_;
};

}  // namespace blastscan
