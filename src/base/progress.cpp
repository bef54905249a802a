#include "base/progress.h"

namespace blastscan {

ProgressCounter::ProgressCounter(ProgressFn fn, std::string task, size_t total, std::string unit)
    : fn_(std::move(fn)), task_(std::move(task)), unit_(std::move(unit)), total_(total) {
  report(false);
}

ProgressCounter::~ProgressCounter() { finish(); }

void ProgressCounter::advance(size_t n, std::string_view detail) {
  done_ += n;
  if (!detail.empty()) detail_ = detail;
  report(false);
}

void ProgressCounter::finish() {
  if (finished_) return;
  finished_ = true;
  report(true);
}

void ProgressCounter::report(bool finished) const {
  if (fn_) fn_({.task = task_, .done = done_, .total = total_, .unit = unit_, .detail = detail_, .finished = finished});
}

}  // namespace blastscan
