#include "predict/background_tile.h"

#include <array>

#include <opencv2/imgproc.hpp>

namespace blastscan {

double stained_fraction(const cv::Mat& rgb, const BackgroundRule& rule) {
  cv::Mat gray;
  cv::cvtColor(rgb, gray, cv::COLOR_RGB2GRAY);
  std::array<size_t, 256> histogram{};
  for (int y = 0; y < gray.rows; ++y) {
    const auto* row = gray.ptr<uint8_t>(y);
    for (int x = 0; x < gray.cols; ++x) ++histogram[row[x]];
  }
  const size_t total = gray.total();
  // The 90th percentile: the brightness that 10% of the pixels reach, the tile's background.
  size_t below = 0;
  int background = 0;
  while (background < 255 && below + histogram[size_t(background)] < total * 9 / 10) below += histogram[size_t(background++)];
  size_t stained = 0;
  for (int v = 0; v <= background - rule.darker_by; ++v) stained += histogram[size_t(v)];
  return total ? double(stained) / double(total) : 0.0;
}

bool is_background_tile(const cv::Mat& rgb, const BackgroundRule& rule) {
  return stained_fraction(rgb, rule) < rule.min_stained_fraction;
}

}  // namespace blastscan
