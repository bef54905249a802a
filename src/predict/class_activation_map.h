// Exact class activation maps (Zhou et al., "Learning Deep Features for Discriminative
// Localization", CVPR 2016). The head is a global average pool followed by a 1x1 convolution,
// so a class logit is the spatial mean of sum_c w[c,k] * A[c,y,x] plus the bias: that sum,
// taken at every end-point position, is the class activation map, with no approximation.
// Its mean over positions plus b[k] is logit k.
#pragma once
#include <opencv2/core.hpp>

#include "inception/model.h"

namespace blastscan {

// endpoint: one image's end-point activations, HWC [H, W, C] (C = the head's input channels).
// Returns CV_32F [H, W]: CAM(y, x) = sum_c w[c, k] * A[y, x, c], in logit units.
cv::Mat class_activation_map(const float* endpoint, int H, int W, int C, const Head& head, int k);

}  // namespace blastscan
