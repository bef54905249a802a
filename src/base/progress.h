// A progress line (done/total, rate, ETA) for long work. It draws on a terminal (stderr is a
// TTY) and stays silent otherwise, so logs and CI stay clean.
#pragma once
#include <chrono>
#include <cstddef>
#include <string>

namespace blastscan {

class Progress {
 public:
  Progress(std::string label, size_t total, std::string unit = "img");
  ~Progress();
  void advance(size_t n = 1);
  void set_suffix(std::string suffix);  // e.g. "loss 0.31"
  void finish();
  double elapsed_seconds() const;
  static bool enabled();  // stderr is a terminal

 private:
  void draw(bool final);
  std::string label_, unit_, suffix_;
  size_t total_, done_ = 0;
  std::chrono::steady_clock::time_point start_, last_draw_;
  bool finished_ = false;
};

}  // namespace blastscan
