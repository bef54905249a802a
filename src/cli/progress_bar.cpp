#include "cli/progress_bar.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

namespace blastscan::cli {

namespace {

using Clock = std::chrono::steady_clock;

// One line for one task; a new task name starts a new line and a new clock.
class ProgressBar {
 public:
  void operator()(const ProgressUpdate& u) {
    const auto now = Clock::now();
    if (u.task != task_ || ended_) {
      task_ = u.task;
      start_ = now;
      ended_ = false;
      last_draw_ = {};
    }
    if (!u.finished && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    ended_ = u.finished;
    draw(u, std::chrono::duration<double>(now - start_).count());
  }

 private:
  static void draw(const ProgressUpdate& u, double seconds) {
    const double rate = seconds > 0 ? double(u.done) / seconds : 0.0;
    const double eta = rate > 0 && u.total > u.done ? double(u.total - u.done) / rate : 0.0;
    constexpr int width = 24;
    const int filled = u.total ? int(width * double(std::min(u.done, u.total)) / double(u.total)) : width;
    std::string bar(size_t(filled), '#');
    bar.resize(width, '.');
    std::fprintf(stderr, "\r%.*s [%s] %zu/%zu %.1f %.*s/s %s %.0fs %.*s\033[K%s", int(u.task.size()), u.task.data(),
                 bar.c_str(), u.done, u.total, rate, int(u.unit.size()), u.unit.data(), u.finished ? "in" : "ETA",
                 u.finished ? seconds : eta, int(u.detail.size()), u.detail.data(), u.finished ? "\n" : "");
    std::fflush(stderr);
  }

  std::string task_;
  Clock::time_point start_, last_draw_;
  bool ended_ = false;
};

}  // namespace

ProgressFn terminal_progress() {
  if (isatty(fileno(stderr)) == 0) return {};
  auto bar = std::make_shared<ProgressBar>();
  return [bar](const ProgressUpdate& u) { (*bar)(u); };
}

}  // namespace blastscan::cli
