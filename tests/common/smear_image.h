// A smear-like test picture: a light, slightly uneven background with purple disks ("cells")
// on a regular grid left of a given column, so tiles over the cells hold stained pixels and
// tiles right of them are background (predict/background_tile.h).
#pragma once
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace blastscan::testing {

// RGB. Cells of radius 30 every `spacing` pixels, centres at x < cells_before_x.
inline cv::Mat smear_image(cv::Size size, int cells_before_x, int spacing = 150) {
  cv::Mat rgb(size, CV_8UC3);
  for (int y = 0; y < rgb.rows; ++y)
    for (int x = 0; x < rgb.cols; ++x)
      rgb.at<cv::Vec3b>(y, x) = cv::Vec3b(uchar(226 + (x + 2 * y) % 7), uchar(221 + (3 * x + y) % 5), 228);
  for (int y = 60; y < size.height; y += spacing)
    for (int x = 60; x < cells_before_x; x += spacing)
      cv::circle(rgb, {x, y + (x / spacing) % 3 * 20}, 30, cv::Scalar(110, 60 + (x + y) % 50, 140), cv::FILLED);
  return rgb;
}

}  // namespace blastscan::testing
