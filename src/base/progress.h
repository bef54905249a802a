// How long library work reports how far it has got: it calls a ProgressFn after each item
// (done of total) and once more when the task ends. The library never draws: the CLI passes
// terminal_progress() (cli/progress_bar.h), which draws done, rate and ETA when stderr is a
// terminal; a server, a test or a binding passes nothing and the work runs quietly.
#pragma once
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace blastscan {

struct ProgressUpdate {
  std::string_view task;    // "checking images"
  size_t done = 0, total = 0;
  std::string_view unit;    // "img", "step"
  std::string_view detail;  // e.g. "loss 0.3102"; may be empty
  bool finished = false;    // the task's last update
};

using ProgressFn = std::function<void(const ProgressUpdate&)>;

// The library's side: counts one task's items and reports each step through `fn` (which may be
// empty). Not thread-safe: advance from one thread at a time (parallel_for's on_done is locked).
// The task ends at finish() or, at the latest, when the counter is destroyed.
class ProgressCounter {
 public:
  ProgressCounter(ProgressFn fn, std::string task, size_t total, std::string unit = "img");
  ~ProgressCounter();
  ProgressCounter(const ProgressCounter&) = delete;
  ProgressCounter& operator=(const ProgressCounter&) = delete;

  void advance(size_t n = 1, std::string_view detail = {});
  void finish();

 private:
  void report(bool finished) const;
  ProgressFn fn_;
  std::string task_, unit_, detail_;
  size_t total_, done_ = 0;
  bool finished_ = false;
};

}  // namespace blastscan
