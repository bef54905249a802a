// A class activation map drawn over the image it explains: the map (predict/
// class_activation_map.h, one value per end-point position) upsampled bilinearly onto the part
// of the image the network saw, scaled from its minimum to its maximum, blended as a colour
// scale, with a legend in logit units. Drawing only.
#pragma once
#include <string>

#include <opencv2/core.hpp>

namespace blastscan {

// rgb: the image; cam: CV_32F [H, W]; seen: the region of rgb the network's input covered
// (the central crop, or the whole image).
cv::Mat render_cam_overlay(const cv::Mat& rgb, const cv::Mat& cam, const cv::Rect& seen, const std::string& class_name);

}  // namespace blastscan
