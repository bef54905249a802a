// Graceful stop on SIGINT/SIGTERM without async-signal-safety worries: the signals are blocked
// in the constructing thread (and so in every thread it starts later), and one thread of our
// own waits for them with sigtimedwait and runs an ordinary callback. A second signal while
// stopping ends the process at once (exit 130), for a drain that takes too long.
// Construct it first in main, before any other thread exists.
#pragma once
#include <atomic>
#include <functional>
#include <thread>

namespace blastscan {

class StopSignals {
 public:
  explicit StopSignals(std::function<void()> on_stop);
  ~StopSignals();  // ends the waiting thread; the signals stay blocked
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  std::function<void()> on_stop_;
  std::atomic<bool> done_{false};
  std::thread waiter_;
};

}  // namespace blastscan
