// Adam against Kingma & Ba's Algorithm 1 written here in double (with epsilon 0 the paper's form
// and TF's "epsilon hat" form are the same), against hand-computed TF numbers, and a first-order
// check that a small step lowers a loss by about gradient . step.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "train/adam.h"

namespace blastscan {
namespace {

TEST(Adam, MatchesThePaperWithZeroEpsilon) {
  std::vector<float> p{1.0f, -2.0f, 0.5f};
  std::vector<double> ref(p.begin(), p.end()), m(3, 0), v(3, 0);
  AdamState state = make_adam_state(3);
  const std::vector<std::vector<float>> grads{{0.5f, -1.f, 2.f}, {-1.f, 0.25f, 2.f}, {0.1f, 0.1f, -3.f}};
  const double lr = 0.01, b1 = 0.9, b2 = 0.999;
  for (size_t t = 1; t <= grads.size(); ++t) {
    adam_update(p, grads[t - 1], state, float(lr), AdamOptions{0.9f, 0.999f, 0.f});
    for (size_t i = 0; i < 3; ++i) {
      const double g = grads[t - 1][i];
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      const double m_hat = m[i] / (1 - std::pow(b1, double(t)));
      const double v_hat = v[i] / (1 - std::pow(b2, double(t)));
      ref[i] -= lr * m_hat / std::sqrt(v_hat);
      EXPECT_NEAR(p[i], ref[i], 1e-6) << "step " << t << " param " << i;
    }
  }
  EXPECT_EQ(state.t, 3);
}

TEST(Adam, TwoStepsMatchHandComputedTensorFlowValues) {
  // lr 0.1, g = 0.5 then -1.0, TF defaults. Step 1 moves by lr (Adam's first step is lr*sign(g)).
  // Step 2: m = -0.055, v = 0.00124975, lr_t = 0.1*sqrt(1-0.999^2)/(1-0.9^2) = 0.0235317,
  // step = lr_t * m / sqrt(v) = -0.0366107.
  std::vector<float> p{1.0f};
  AdamState state = make_adam_state(1);
  adam_update(p, std::vector<float>{0.5f}, state, 0.1f);
  EXPECT_NEAR(p[0], 0.9f, 1e-6);
  adam_update(p, std::vector<float>{-1.0f}, state, 0.1f);
  EXPECT_NEAR(p[0], 0.9366107f, 1e-6);
}

TEST(Adam, SmallStepLowersTheLossByGradientDotStep) {
  // f(p) = sum a_i p_i^2 / 2: the loss change of a small step is grad . delta to first order.
  const std::vector<float> a{1.f, 3.f, 0.5f, 2.f};
  std::vector<float> p{0.7f, -0.4f, 1.2f, -0.9f};
  auto f = [&](const std::vector<float>& q) {
    double s = 0;
    for (size_t i = 0; i < q.size(); ++i) s += 0.5 * a[i] * q[i] * q[i];
    return s;
  };
  std::vector<float> g(p.size());
  for (size_t i = 0; i < p.size(); ++i) g[i] = a[i] * p[i];
  AdamState state = make_adam_state(p.size());
  const auto before = p;
  adam_update(p, g, state, 1e-3f);
  double predicted = 0;
  for (size_t i = 0; i < p.size(); ++i) predicted += double(g[i]) * (p[i] - before[i]);
  const double actual = f(p) - f(before);
  EXPECT_LT(actual, 0);
  EXPECT_NEAR(actual, predicted, 1e-2 * std::fabs(predicted));
}

TEST(Adam, ALargeVectorSplitOverThreadsGivesTheBitsOfOneThread) {
  // Past the size where the update runs on several threads (a fine-tuned block stack's 13 M
  // parameters), every element must still get the one-element update, bit for bit: written here
  // in float, one element at a time, in the same order of operations.
  const size_t count = (size_t{1} << 18) + 7;  // an odd tail past any even split
  std::vector<float> p(count), g(count);
  for (size_t i = 0; i < count; ++i) {
    p[i] = std::sin(0.001f * float(i));
    g[i] = std::cos(0.003f * float(i)) * (i % 3 == 0 ? 1e-3f : 1.f);
  }
  std::vector<float> ref = p, m(count, 0.f), v(count, 0.f);
  AdamState state = make_adam_state(count);
  const float lr = 0.01f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
  for (int t = 1; t <= 2; ++t) {
    adam_update(p, g, state, lr);
    const float lr_t = float(lr * std::sqrt(1.0 - std::pow(double(b2), t)) / (1.0 - std::pow(double(b1), t)));
    for (size_t i = 0; i < count; ++i) {
      m[i] = b1 * m[i] + (1.f - b1) * g[i];
      v[i] = b2 * v[i] + (1.f - b2) * g[i] * g[i];
      ref[i] -= lr_t * m[i] / (std::sqrt(v[i]) + eps);
    }
    for (size_t i = 0; i < count; ++i)
      ASSERT_EQ(p[i], ref[i]) << "step " << t << " param " << i << " of " << count;
  }
}

TEST(Adam, ConvergesOnAQuadratic) {
  std::vector<float> p{3.f, -2.f};
  AdamState state = make_adam_state(2);
  for (int t = 0; t < 2000; ++t) adam_update(p, std::vector<float>{2.f * p[0], 8.f * p[1]}, state, 0.05f);
  EXPECT_NEAR(p[0], 0.f, 1e-2);
  EXPECT_NEAR(p[1], 0.f, 1e-2);
}

}  // namespace
}  // namespace blastscan
