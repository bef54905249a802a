#include "nn/gradient_sum.h"

namespace blastscan {

GradientSum::GradientSum(const dnnl::engine& engine, const dnnl::memory::desc& from, const dnnl::memory::desc& to) {
  dnnl::post_ops accumulate;
  accumulate.append_sum(1.f);
  dnnl::primitive_attr attr;
  attr.set_post_ops(accumulate);
  add_ = dnnl::reorder(dnnl::reorder::primitive_desc(engine, from, engine, to, attr));
  assign_ = dnnl::reorder(dnnl::reorder::primitive_desc(engine, from, engine, to));
}

void GradientSum::add(const dnnl::stream& stream, const dnnl::memory& from, const dnnl::memory& to) const {
  add_.execute(stream, {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}});
}

void GradientSum::assign(const dnnl::stream& stream, const dnnl::memory& from, const dnnl::memory& to) const {
  assign_.execute(stream, {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}});
}

}  // namespace blastscan
