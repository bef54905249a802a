// Inception preprocessing: RGB uint8 image -> float NHWC tensor for the network.
#pragma once
#include <opencv2/core.hpp>

namespace blastscan {

// TF-Slim evaluation: central crop keeping 87.5% of each side (tf.image.central_crop),
// bilinear resize to size x size, scale to [-1,1] (x/127.5 - 1). Writes size*size*3 floats.
void preprocess_inception(const cv::Mat& rgb, int size, float* dst);

// The shared ImageNet fixtures' preprocessing: the whole image, bilinear resize, (x-128)/128.
void preprocess_whole(const cv::Mat& rgb, int size, float* dst);

}  // namespace blastscan
