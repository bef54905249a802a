#include "report/cam_overlay.h"

#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <opencv2/imgproc.hpp>

#include "report/colour_overlay.h"

namespace blastscan {

cv::Mat render_cam_overlay(const cv::Mat& rgb, const cv::Mat& cam, const cv::Rect& seen, const std::string& class_name) {
  double lo = 0, hi = 0;
  cv::minMaxLoc(cam, &lo, &hi);
  cv::Mat upsampled;
  // INTER_LINEAR with half-pixel centres: each end-point position sits at the centre of its patch.
  cv::resize(cam, upsampled, seen.size(), 0, 0, cv::INTER_LINEAR);
  upsampled = (upsampled - lo) / std::max(hi - lo, 1e-12);
  cv::Mat values(rgb.size(), CV_32F, cv::Scalar(std::numeric_limits<float>::quiet_NaN()));
  upsampled.copyTo(values(seen));
  // Small images (a 103-pixel cell) are drawn larger so the map and the legend are readable.
  cv::Mat shown = blend_colour_scale(rgb, values);
  if (shown.cols < 400) cv::resize(shown, shown, {}, 400.0 / shown.cols, 400.0 / shown.cols, cv::INTER_LINEAR);
  return add_legend(shown, {.title = "class activation map of " + class_name + " (logit units)",
                            .low = fmt::format("{:.2f}", lo),
                            .high = fmt::format("{:.2f}", hi),
                            .mark = std::nullopt,
                            .mark_label = "",
                            .note = seen.size() == rgb.size() ? "" : "uncoloured: outside the central crop the network sees"});
}

}  // namespace blastscan
