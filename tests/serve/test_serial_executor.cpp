// SerialExecutor: one thread for every job, jobs one at a time in arrival order, results and
// exceptions handed back to the caller.
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

#include "serve/serial_executor.h"

namespace blastscan {
namespace {

TEST(SerialExecutor, RunsEveryJobOnItsOwnSingleThreadAndReturnsTheResult) {
  SerialExecutor executor;
  const auto first = executor.run([] { return std::this_thread::get_id(); });
  EXPECT_NE(first, std::this_thread::get_id());
  EXPECT_EQ(executor.run([] { return std::this_thread::get_id(); }), first);
  EXPECT_EQ(executor.run([] { return 6 * 7; }), 42);
}

TEST(SerialExecutor, ExceptionsReachTheCaller) {
  SerialExecutor executor;
  EXPECT_THROW(executor.run([]() -> int { throw std::runtime_error("boom"); }), std::runtime_error);
  EXPECT_EQ(executor.run([] { return 1; }), 1);  // and it keeps working
}

TEST(SerialExecutor, JobsFromManyThreadsNeverOverlap) {
  SerialExecutor executor;
  std::atomic<int> inside{0}, most{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 8; ++t)
    callers.emplace_back([&] {
      for (int i = 0; i < 50; ++i)
        executor.run([&] {
          most = std::max(most.load(), ++inside);
          std::this_thread::yield();
          --inside;
          return 0;
        });
    });
  for (auto& c : callers) c.join();
  EXPECT_EQ(most.load(), 1);
}

}  // namespace
}  // namespace blastscan
