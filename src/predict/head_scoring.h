// Batch scoring of a model's head on backbone features, for callers that have the features
// already (evaluate reads them from the bottleneck cache): features [n,C] -> dense -> softmax
// -> probabilities [n,K], the same layers (nn/head_layers.h) that the network runs after its
// backbone, so both paths give the same probabilities.
#pragma once
#include <cstddef>
#include <vector>

#include "inception/model.h"

namespace blastscan {

// features: n rows of the head's C inputs. Throws Error when the feature length is not C.
std::vector<float> score_features(const Head& head, const std::vector<float>& features, size_t n);

}  // namespace blastscan
