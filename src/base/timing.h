// Wall-clock timing for benchmarks: warm up, then run until both a minimum count and a minimum
// time are reached, and report the median (robust to the odd slow run on a shared machine).
#pragma once
#include <algorithm>
#include <chrono>
#include <functional>
#include <vector>

namespace blastscan {

struct Timing {
  double median_ms = 0;
  int runs = 0;
};

inline Timing time_runs(const std::function<void()>& run, int warmup = 2, int min_runs = 5, double min_seconds = 2.0) {
  for (int i = 0; i < warmup; ++i) run();
  std::vector<double> ms;
  const auto start = std::chrono::steady_clock::now();
  while (int(ms.size()) < min_runs ||
         std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < min_seconds) {
    const auto t0 = std::chrono::steady_clock::now();
    run();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], int(ms.size())};
}

}  // namespace blastscan
