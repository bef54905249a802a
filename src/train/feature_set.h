// Labelled bottleneck features, what the head trains and is evaluated on. Each image has
// `views` feature rows: view 0 comes from the evaluation preprocessing, views 1.. from seeded
// training distortions (--distortions K gives K + 1 views per training image).
#pragma once
#include <cstddef>
#include <vector>

namespace blastscan {

struct FeatureSet {
  int C = 0;      // feature channels
  int views = 1;  // rows per image
  std::vector<float> features;  // [n, views, C]
  std::vector<int> labels;      // [n]

  size_t size() const { return labels.size(); }
  const float* row(size_t image, int view) const {
    return features.data() + (image * static_cast<size_t>(views) + static_cast<size_t>(view)) * static_cast<size_t>(C);
  }
};

}  // namespace blastscan
