// limit_malloc_arenas, counted in a fresh process (this test binary again, on one test case,
// since an arena once made stays): eight threads allocating at once share the two arenas they
// are limited to, and by glibc's default (8 per core) each gets its own.
#include <gtest/gtest.h>
#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <latch>
#include <thread>
#include <vector>

#include "common/child_process.h"
#include "common/paths.h"
#include "serve/malloc_arenas.h"

namespace blastscan {
namespace {

constexpr const char* kLimitVariable = "BLASTSCAN_TEST_MALLOC_ARENAS";

// The arenas malloc_info lists, one "<heap nr=...>" each.
int arena_count() {
  char* text = nullptr;
  size_t size = 0;
  std::FILE* out = open_memstream(&text, &size);
  malloc_info(0, out);
  std::fclose(out);
  const std::string info(text, size);
  std::free(text);
  int arenas = 0;
  for (size_t at = info.find("<heap nr="); at != std::string::npos; at = info.find("<heap nr=", at + 1)) ++arenas;
  return arenas;
}

// Run by arenas_in_a_fresh_process only: limits the arenas to $BLASTSCAN_TEST_MALLOC_ARENAS,
// lets eight threads allocate while all of them are alive (a thread that has exited hands its
// arena to the next one) and prints how many arenas the process then has.
TEST(MallocArenas, CountedInAFreshProcess) {
  const char* limit = std::getenv(kLimitVariable);
  if (!limit) GTEST_SKIP() << "run by MallocArenas.EightThreadsShareTheTwoTheyAreLimitedTo";
  limit_malloc_arenas(std::atoi(limit));
  constexpr int kThreads = 8;
  std::latch all_allocated(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i)
    threads.emplace_back([&] {
      void* volatile block = std::malloc(1000);  // a thread's first allocation picks its arena
      all_allocated.arrive_and_wait();
      std::free(block);
    });
  for (auto& thread : threads) thread.join();
  std::printf("arenas: %d\n", arena_count());
}

int arenas_in_a_fresh_process(int limit) {
  setenv(kLimitVariable, std::to_string(limit).c_str(), 1);
  testing::ChildProcess child({std::filesystem::read_symlink("/proc/self/exe").string(),
                               "--gtest_filter=MallocArenas.CountedInAFreshProcess"},
                              testing::scratch_dir() / ("limit_" + std::to_string(limit) + ".log"));
  unsetenv(kLimitVariable);
  EXPECT_EQ(child.wait(std::chrono::seconds(60)), 0) << child.log_text();
  const auto arenas = child.wait_for_log("arenas: ([0-9]+)", std::chrono::seconds(1));
  return arenas ? std::stoi(*arenas) : -1;
}

TEST(MallocArenas, EightThreadsShareTheTwoTheyAreLimitedTo) {
  if (mallopt(M_ARENA_MAX, 0) == 0) GTEST_SKIP() << "the allocator is not glibc's (a sanitizer's): no arenas";
  EXPECT_EQ(arenas_in_a_fresh_process(2), 2);
  EXPECT_EQ(arenas_in_a_fresh_process(0), 9);  // the main arena and one per thread
}

}  // namespace
}  // namespace blastscan
