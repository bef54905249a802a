#include "nn/trainable_concat.h"

#include <cassert>

namespace blastscan {

TrainableConcat::TrainableConcat(const dnnl::engine& engine, const std::vector<dnnl::memory::desc>& srcs,
                                 const dnnl::memory::desc& dst)
    : engine_(engine), fwd_(dnnl::concat::primitive_desc(dst, 1, srcs, engine)) {
  dnnl::memory::dim offset = 0;
  for (const auto& src : srcs) {
    const auto dims = src.dims();
    slices_.push_back(dst.submemory_desc(dims, {0, offset, 0, 0}));
    slice_sums_.emplace_back(engine, slices_.back(), src);
    offset += dims[1];
  }
  assert(offset == dst.dims()[1]);
}

// ---- forward

void TrainableConcat::forward(dnnl::stream& stream, const std::vector<dnnl::memory>& srcs,
                              const dnnl::memory& dst) {
  std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_DST, dst}};
  for (size_t i = 0; i < srcs.size(); ++i) args[DNNL_ARG_MULTIPLE_SRC + int(i)] = srcs[i];
  fwd_.execute(stream, args);
}

// ---- backward

void TrainableConcat::backward(dnnl::stream& stream, const dnnl::memory& diff_dst,
                               const std::vector<dnnl::memory>& diff_srcs, const std::vector<GradientWrite>& writes) {
  assert(diff_srcs.size() == slices_.size() && (writes.empty() || writes.size() == slices_.size()));
  for (size_t i = 0; i < slices_.size(); ++i)
    slice_sums_[i].write(writes.empty() ? GradientWrite::add : writes[i], stream,
                         dnnl::memory(slices_[i], engine_, diff_dst.get_data_handle()), diff_srcs[i]);
}

}  // namespace blastscan
