// Which tiles show nothing but background (bare glass, plasma, an unstained gap between
// cells): they are not worth a network pass and would only add noise to a slide's answer.
// The rule is cheap and stain-agnostic, so it works on grayscale images too: a tile has
// stained cells when enough of its pixels are clearly darker than its own bright background
// (a nucleus or a red cell on a smear). Uniform tiles, and faint noise, have none.
#pragma once
#include <opencv2/core.hpp>

namespace blastscan {

struct BackgroundRule {
  int darker_by = 40;                   // grey levels below the tile's background (its 90th percentile)
  double min_stained_fraction = 0.01;   // of the tile's pixels; fewer stained pixels = background
};

// The fraction of `rgb`'s pixels at least rule.darker_by grey levels below the tile's 90th
// percentile brightness.
double stained_fraction(const cv::Mat& rgb, const BackgroundRule& rule = {});
bool is_background_tile(const cv::Mat& rgb, const BackgroundRule& rule = {});

}  // namespace blastscan
