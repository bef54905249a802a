// 2-D pooling on oneDNN: max, and average that excludes padding (TF's AvgPool with SAME
// padding divides by the number of real pixels). A global average is a pool whose kernel is
// the whole image. Forward inference only for now.
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
  const dnnl::primitive& primitive() const { return primitive_; }
  std::unordered_map<int, dnnl::memory> args(const dnnl::memory& src, const dnnl::memory& dst) const {
    return {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}};
  }

 private:
  dnnl::pooling_forward::primitive_desc pd_;
  dnnl::pooling_forward primitive_;
};

}  // namespace blastscan
