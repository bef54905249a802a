// Drawing values over an image: a colour scale (OpenCV's Turbo map, blue = low, red = high)
// blended over the pixels, a legend band with the scale and its labels, and PNG encoding.
// Shared by the tile heat-map and the class activation map; the values come from predict/.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace blastscan {

// values: CV_32F, the size of rgb, in [0,1]; NaN leaves the pixel as it is. alpha is the
// colour's weight in the blend.
cv::Mat blend_colour_scale(const cv::Mat& rgb, const cv::Mat& values, double alpha = 0.45);

struct Legend {
  std::string title;           // e.g. "ALL probability per tile"
  std::string low, high;       // labels at the two ends of the scale
  std::optional<double> mark;  // a tick at this point of [0,1] (e.g. the threshold)
  std::string mark_label;
  std::string note;            // a second line, e.g. what uncoloured parts mean
};

// The image with a legend band below it (the band is at least wide enough for its text).
cv::Mat add_legend(const cv::Mat& rgb, const Legend& legend);

// RGB -> PNG bytes.
std::vector<uint8_t> encode_png(const cv::Mat& rgb);

}  // namespace blastscan
