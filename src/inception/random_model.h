// Seeded random weights of the right shapes for any end point, with an optional head: for
// tests and benchmarks of the full-depth network, whose real weights are not available here.
#pragma once
#include <string>

#include "inception/model.h"

namespace blastscan {

// He-scaled normal weights (std sqrt(2/fan_in)) keep activations O(1) through the ReLUs;
// biases small. num_classes = 0 gives a backbone without a head.
Model make_random_model(const std::string& endpoint, int num_classes, unsigned seed);

}  // namespace blastscan
