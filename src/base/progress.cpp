#include "base/progress.h"

#include <unistd.h>

#include <cstdio>

namespace blastscan {

Progress::Progress(std::string label, size_t total, std::string unit)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total),
      start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

Progress::~Progress() { finish(); }

bool Progress::enabled() {
  static const bool tty = isatty(fileno(stderr)) != 0;
  return tty;
}

double Progress::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::advance(size_t n) {
  done_ += n;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ > std::chrono::milliseconds(100)) {
    last_draw_ = now;
    draw(false);
  }
}

void Progress::set_suffix(std::string suffix) { suffix_ = std::move(suffix); }

void Progress::finish() {
  if (finished_) return;
  finished_ = true;
  draw(true);
}

void Progress::draw(bool final) {
  if (!enabled()) return;
  const double secs = elapsed_seconds();
  const double rate = secs > 0 ? static_cast<double>(done_) / secs : 0.0;
  const double eta = rate > 0 && total_ > done_ ? static_cast<double>(total_ - done_) / rate : 0.0;
  const int width = 24;
  const int filled = total_ ? static_cast<int>(width * static_cast<double>(done_) / static_cast<double>(total_)) : width;
  std::string bar(static_cast<size_t>(filled), '#');
  bar.resize(width, '.');
  std::fprintf(stderr, "\r%s [%s] %zu/%zu %.1f %s/s ETA %.0fs %s\033[K%s", label_.c_str(), bar.c_str(),
               done_, total_, rate, unit_.c_str(), eta, suffix_.c_str(), final ? "\n" : "");
  std::fflush(stderr);
}

}  // namespace blastscan
