// A class activation map drawn over the image it explains: the map (predict/
// class_activation_map.h, one value per end-point position) upsampled bilinearly onto the part
// of the image the network saw, scaled from its minimum to its maximum, blended as a colour
// scale, with a legend in logit units (or, for a gallery, at a thumbnail's size without one).
// Drawing only.
#pragma once
#include <string>

#include <opencv2/core.hpp>

namespace blastscan {

// rgb: the image; cam: CV_32F [H, W]; seen: the region of rgb the network's input covered
// (the central crop, or the whole image). subject, when given, says what rgb is in the legend's
// title ("CAM of ALL, tile (1196, 598), logit units").
cv::Mat render_cam_overlay(const cv::Mat& rgb, const cv::Mat& cam, const cv::Rect& seen, const std::string& class_name,
                           const std::string& subject = "");

// The same blend resized to `size` (as a gallery's thumbnail of rgb is), without a legend; the
// map's range goes to the caption instead (cam_range).
cv::Mat render_cam_thumbnail(const cv::Mat& rgb, const cv::Mat& cam, const cv::Rect& seen, cv::Size size);
struct CamRange {
  double low = 0, high = 0;  // logit units: the colour scale's two ends
};
CamRange cam_range(const cv::Mat& cam);

}  // namespace blastscan
