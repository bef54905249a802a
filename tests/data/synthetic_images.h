// Small image files for data tests, written with OpenCV's encoders into a scratch folder.
#pragma once
#include <filesystem>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "base/file_io.h"

namespace blastscan::testing {

// A w x h image whose pixels depend on `seed`, so different seeds give different bytes.
inline void write_test_image(const std::filesystem::path& path, int seed, int w = 32, int h = 24) {
  cv::Mat img(h, w, CV_8UC3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) img.at<cv::Vec3b>(y, x) = cv::Vec3b(uint8_t(seed * 7 + x), uint8_t(y * 5), uint8_t(seed));
  std::vector<uint8_t> bytes;
  cv::imencode(path.extension().string(), img, bytes);
  write_file_atomic(path, bytes);
}

}  // namespace blastscan::testing
