// Scoring features with a model's head: softmax(features . W + b), checked against the
// definition written out in double.
#include <gtest/gtest.h>

#include <cmath>

#include "base/error.h"
#include "predict/head_scoring.h"

namespace blastscan {
namespace {

TEST(HeadScoring, IsTheSoftmaxOfTheDenseLayer) {
  const int C = 5, K = 3;
  const size_t n = 4;
  Head head{Tensor({1, 1, C, K}), Tensor({K})};
  for (size_t i = 0; i < head.weights.data.size(); ++i) head.weights.data[i] = std::sin(float(i)) * 0.7f;
  for (int k = 0; k < K; ++k) head.biases.data[size_t(k)] = 0.1f * float(k) - 0.05f;
  std::vector<float> features(n * C);
  for (size_t i = 0; i < features.size(); ++i) features[i] = std::cos(float(i) * 1.3f);

  const std::vector<float> p = score_features(head, features, n);
  ASSERT_EQ(p.size(), n * K);
  for (size_t row = 0; row < n; ++row) {
    double logits[K], sum = 0;
    for (int k = 0; k < K; ++k) {
      logits[k] = head.biases.data[size_t(k)];
      for (int c = 0; c < C; ++c) logits[k] += double(features[row * C + size_t(c)]) * head.weights.data[size_t(c * K + k)];
    }
    for (int k = 0; k < K; ++k) sum += std::exp(logits[k]);
    for (int k = 0; k < K; ++k) EXPECT_NEAR(p[row * K + size_t(k)], std::exp(logits[k]) / sum, 1e-6) << row << "," << k;
  }
  EXPECT_THROW(score_features(head, std::vector<float>(7), 2), Error);
}

}  // namespace
}  // namespace blastscan
