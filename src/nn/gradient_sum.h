// Gradients add up (+=), as llm.c's backward passes do: one tensor feeds several branches of an
// Inception block, and each branch adds its share into the tensor's gradient. oneDNN's backward
// primitives overwrite their outputs, so a layer writes into its own scratch and adds that into
// the caller's buffer with a reorder whose sum post-op keeps what is there (dst = src + dst).
// The same reorder changes layout on the way, e.g. diff_weights from the backward-weights
// primitive's blocked layout back to the HWIO weights the optimiser updates.
// The trainer zeroes gradients once per step; nothing here clears them.
#pragma once
#include <dnnl.hpp>

namespace blastscan {

class GradientSum {
 public:
  GradientSum() = default;
  // Set up once for a pair of layouts (they may differ, and `from` may be a sub-memory view).
  GradientSum(const dnnl::engine& engine, const dnnl::memory::desc& from, const dnnl::memory::desc& to);
  // to += from
  void add(const dnnl::stream& stream, const dnnl::memory& from, const dnnl::memory& to) const;

 private:
  dnnl::reorder reorder_;
};

}  // namespace blastscan
