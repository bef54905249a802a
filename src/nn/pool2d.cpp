#include "nn/pool2d.h"

namespace blastscan {

Pool2d::Pool2d(const dnnl::engine& engine, const dnnl::memory::desc& src, const dnnl::memory::desc& dst,
               const Pool2dParams& p) {
  const auto algorithm =
      p.kind == PoolKind::Max ? dnnl::algorithm::pooling_max : dnnl::algorithm::pooling_avg_exclude_padding;
  const dnnl::pooling_forward::desc desc(dnnl::prop_kind::forward_inference, algorithm, src, dst, {p.SH, p.SW},
                                         {p.KH, p.KW}, {p.PH_L, p.PW_L}, {p.PH_R, p.PW_R});
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);  // see Conv2d: any thread, own scratchpad
  pd_ = dnnl::pooling_forward::primitive_desc(desc, attr, engine);
  primitive_ = dnnl::pooling_forward(pd_);
  own_scratchpad_ = dnnl::memory(pd_.scratchpad_desc(), engine);
}

}  // namespace blastscan
