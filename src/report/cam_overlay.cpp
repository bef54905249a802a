#include "report/cam_overlay.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>
#include <opencv2/imgproc.hpp>

#include "report/colour_overlay.h"

namespace blastscan {

namespace {

// The map over the image: upsampled onto `seen`, scaled to [0,1], blended; the rest uncoloured.
cv::Mat blend_cam(const cv::Mat& rgb, const cv::Mat& cam, const cv::Rect& seen) {
  const CamRange range = cam_range(cam);
  cv::Mat upsampled;
  // INTER_LINEAR with half-pixel centres: each end-point position sits at the centre of its patch.
  cv::resize(cam, upsampled, seen.size(), 0, 0, cv::INTER_LINEAR);
  upsampled = (upsampled - range.low) / std::max(range.high - range.low, 1e-12);
  cv::Mat values(rgb.size(), CV_32F, cv::Scalar(std::numeric_limits<float>::quiet_NaN()));
  upsampled.copyTo(values(seen));
  return blend_colour_scale(rgb, values);
}

}  // namespace

CamRange cam_range(const cv::Mat& cam) {
  CamRange range;
  cv::minMaxLoc(cam, &range.low, &range.high);
  return range;
}

cv::Mat render_cam_overlay(const cv::Mat& rgb, const cv::Mat& cam, const cv::Rect& seen, const std::string& class_name,
                           const std::string& subject) {
  const CamRange range = cam_range(cam);
  cv::Mat shown = blend_cam(rgb, cam, seen);
  // Small images (a 103-pixel cell) are drawn larger so the map and the legend are readable.
  if (shown.cols < 400) cv::resize(shown, shown, {}, 400.0 / shown.cols, 400.0 / shown.cols, cv::INTER_LINEAR);
  // A subject makes the title longer: "CAM" keeps it within a 400-pixel drawing.
  return add_legend(shown, {.title = subject.empty() ? "class activation map of " + class_name + " (logit units)"
                                                     : "CAM of " + class_name + ", " + subject + ", logit units",
                            .low = fmt::format("{:.2f}", range.low),
                            .high = fmt::format("{:.2f}", range.high),
                            .mark = std::nullopt,
                            .mark_label = "",
                            .note = seen.size() == rgb.size() ? "" : "uncoloured: outside the central crop the network sees"});
}

cv::Mat render_cam_thumbnail(const cv::Mat& rgb, const cv::Mat& cam, const cv::Rect& seen, cv::Size size) {
  cv::Mat small;
  cv::resize(blend_cam(rgb, cam, seen), small, size, 0, 0, cv::INTER_AREA);
  return small;
}

}  // namespace blastscan
