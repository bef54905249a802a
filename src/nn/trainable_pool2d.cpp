#include "nn/trainable_pool2d.h"

#include <cassert>

namespace blastscan {

TrainablePool2d::TrainablePool2d(const dnnl::engine& engine, const dnnl::memory::desc& src,
                                 const dnnl::memory::desc& dst, const Pool2dParams& p, bool with_backward) {
  const auto algorithm =
      p.kind == PoolKind::Max ? dnnl::algorithm::pooling_max : dnnl::algorithm::pooling_avg_exclude_padding;
  const dnnl::memory::dims strides{p.SH, p.SW}, kernel{p.KH, p.KW}, pad_l{p.PH_L, p.PW_L}, pad_r{p.PH_R, p.PW_R};
  const auto prop = with_backward ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference;
  fwd_pd_ = {{prop, algorithm, src, dst, strides, kernel, pad_l, pad_r}, engine};
  fwd_ = dnnl::pooling_forward(fwd_pd_);
  if (!with_backward) return;
  bwd_pd_ = {{algorithm, src, dst, strides, kernel, pad_l, pad_r}, engine, fwd_pd_};
  bwd_ = dnnl::pooling_backward(bwd_pd_);
  if (p.kind == PoolKind::Max) workspace_ = dnnl::memory(fwd_pd_.workspace_desc(), engine);
  diff_src_ = dnnl::memory(src, engine);
  diff_src_sum_ = GradientSum(engine, src, src);
}

std::string TrainablePool2d::impl() const {
  if (!bwd_) return fwd_pd_.impl_info_str();
  return std::string(fwd_pd_.impl_info_str()) + " / " + bwd_pd_.impl_info_str();
}

// ---- forward

void TrainablePool2d::forward(dnnl::stream& stream, const dnnl::memory& src, const dnnl::memory& dst) {
  std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}};
  if (workspace_) args[DNNL_ARG_WORKSPACE] = workspace_;
  fwd_.execute(stream, args);
}

// ---- backward

void TrainablePool2d::backward(dnnl::stream& stream, const dnnl::memory& diff_dst, const dnnl::memory& diff_src,
                               GradientWrite diff_src_write) {
  assert(diff_src.get_desc() == diff_src_.get_desc());
  const bool assign = diff_src_write == GradientWrite::assign;  // then straight into the caller's buffer
  std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_DIFF_DST, diff_dst},
                                             {DNNL_ARG_DIFF_SRC, assign ? diff_src : diff_src_}};
  if (workspace_) args[DNNL_ARG_WORKSPACE] = workspace_;
  bwd_.execute(stream, args);
  if (!assign) diff_src_sum_.add(stream, diff_src_, diff_src);
}

}  // namespace blastscan
