// parallel_for: runs fn(i) for i in [0, n) on `threads` threads (0 = all cores), handing out
// indices one at a time (images differ in cost). The first exception thrown by fn stops the
// hand-out and is rethrown in the caller once every thread has stopped. fn must be safe to run
// concurrently for different i; `on_done` (optional) runs under a lock after each item, for a
// progress bar.
#pragma once
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace blastscan {

inline void parallel_for(size_t n, int threads, const std::function<void(size_t)>& fn,
                         const std::function<void()>& on_done = {}) {
  const size_t hw = std::max(1u, std::thread::hardware_concurrency());
  const size_t count = std::min(n, threads > 0 ? size_t(threads) : hw);
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex mutex;
  auto work = [&] {
    for (size_t i; !failed && (i = next++) < n;) {
      try {
        fn(i);
      } catch (...) {
        std::lock_guard lock(mutex);
        if (!error) error = std::current_exception();
        failed = true;
        return;
      }
      if (on_done) {
        std::lock_guard lock(mutex);
        on_done();
      }
    }
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < count; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace blastscan
