// Runs jobs one at a time on a thread of its own, in the order they arrive. The server gives
// every network run to one such thread instead of letting each HTTP worker take a mutex:
// requests are answered first come, first served (a mutex lets some wait several turns, which
// shows as a long latency tail under load), and the OpenMP pool that oneDNN runs on belongs to
// one thread, created once with the --threads setting, instead of one pool per HTTP worker.
#pragma once
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

namespace blastscan {

class SerialExecutor {
 public:
  SerialExecutor();
  ~SerialExecutor();  // finishes the jobs already queued, then joins
  SerialExecutor(const SerialExecutor&) = delete;
  SerialExecutor& operator=(const SerialExecutor&) = delete;

  // Runs f on the executor's thread and waits for it; its exceptions arrive here.
  template <class F>
  auto run(F f) -> decltype(f()) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    enqueue([&task] { task(); });
    return result.get();
  }

 private:
  void enqueue(std::function<void()> job);
  void work();

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after the members above exist
};

}  // namespace blastscan
