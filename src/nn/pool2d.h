// 2-D pooling on oneDNN: max, and average that excludes padding (TF's AvgPool with SAME
// padding divides by the number of real pixels). A global average is a pool whose kernel is
// the whole image. Forward inference only for now. The data type comes from the descriptors
// (f32, bf16, u8: a pool keeps its input's int8 scale). The scratchpad is user-managed, as in
// Conv2d, so the primitive may run on any thread with a scratchpad of its own.
#pragma once
#include <string>

#include <dnnl.hpp>

namespace blastscan {

enum class PoolKind { Max, Average };

struct Pool2dParams {
  PoolKind kind = PoolKind::Max;
  int KH = 3, KW = 3, SH = 1, SW = 1;
  int PH_L = 0, PH_R = 0, PW_L = 0, PW_R = 0;
};

class Pool2d {
 public:
  Pool2d(const dnnl::engine& engine, const dnnl::memory::desc& src, const dnnl::memory::desc& dst,
         const Pool2dParams& params);
  std::string impl() const { return pd_.impl_info_str(); }
  dnnl::memory::desc scratchpad_desc() const { return pd_.scratchpad_desc(); }
  const dnnl::primitive& primitive() const { return primitive_; }
  std::unordered_map<int, dnnl::memory> args(const dnnl::memory& src, const dnnl::memory& dst,
                                             const dnnl::memory& scratchpad) const {
    return {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}, {DNNL_ARG_SCRATCHPAD, scratchpad}};
  }
  std::unordered_map<int, dnnl::memory> args(const dnnl::memory& src, const dnnl::memory& dst) const {
    return args(src, dst, own_scratchpad_);
  }

 private:
  dnnl::pooling_forward::primitive_desc pd_;
  dnnl::pooling_forward primitive_;
  dnnl::memory own_scratchpad_;  // for the two-argument args(): single-threaded callers
};

}  // namespace blastscan
