// int8's activation scales (x_f32 = scale * x_int), from a model's calibration
// (Model::activation_max, written by `blastscan quantize`). A pool keeps its input's scale and
// a concat's inputs share the concat's, so a concat copies bytes without requantising: tensors
// tied that way form groups whose one scale covers the largest calibrated value of any member.
// Activations after ReLU are u8 (largest value -> 255); the image is s8 (largest |x| -> 127).
#pragma once
#include <map>
#include <string>
#include <vector>

#include "inception/inception_v3.h"
#include "inception/model.h"

namespace blastscan {

// Per layer name (and "input"): its scale. Throws InputError naming a layer the calibration
// has no range for.
std::map<std::string, float> activation_scales(const std::vector<Layer>& layers, const Model& model);

}  // namespace blastscan
