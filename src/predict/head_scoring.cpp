#include "predict/head_scoring.h"

#include "base/error.h"
#include "nn/head_layers.h"

namespace blastscan {

std::vector<float> score_features(const Head& head, const std::vector<float>& features, size_t n) {
  const int K = head.num_classes();
  const size_t C = K > 0 ? size_t(head.weights.size()) / size_t(K) : 0;
  if (features.size() != n * C)
    throw Error("score_features: " + std::to_string(features.size()) + " values for " + std::to_string(n) +
                " rows of " + std::to_string(C));
  std::vector<float> logits(n * size_t(K)), probabilities(n * size_t(K));
  dense_forward(logits.data(), features.data(), head.weights.ptr(), head.biases.ptr(), int(n), int(C), K);
  softmax_forward(probabilities.data(), logits.data(), int(n), K);
  return probabilities;
}

}  // namespace blastscan
