// Per-class loss weights for imbalanced data. "auto" gives each class the weight
// n / (K * n_k) (scikit-learn's "balanced"), so every class contributes equally to the loss
// and the mean weight over the training set stays 1, leaving the learning rate's meaning intact.
#pragma once
#include <string>
#include <vector>

namespace blastscan {

// mode: "none" (all 1) or "auto". labels index classes 0..K-1. Throws InputError for another
// mode; a class with no training example gets weight 0 (it cannot appear in the loss anyway).
std::vector<float> make_class_weights(const std::string& mode, const std::vector<int>& labels, int K);

}  // namespace blastscan
