// int8 calibration: the largest value of every layer's output over a sample of real images,
// preprocessed as the model expects, stored in the model (Model::activation_max) so an int8
// network compiles from it without calibrating again (blastscan quantize).
#pragma once
#include <cstddef>
#include <filesystem>
#include <vector>

#include "base/progress.h"
#include "inception/model.h"

namespace blastscan {

// `count` files spread evenly over the sorted list (all of them when there are fewer).
std::vector<std::filesystem::path> calibration_sample(std::vector<std::filesystem::path> files, size_t count);

// Runs the fp32 network over `images` (decoded while the network computes) and returns the
// model with its calibration set. Throws InputError naming an image that cannot be read.
// Reports "calibrating" images done through `progress` (may be empty).
Model calibrate_int8(Model model, const std::vector<std::filesystem::path>& images, int threads,
                     const ProgressFn& progress = {});

}  // namespace blastscan
