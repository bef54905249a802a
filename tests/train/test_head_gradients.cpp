// The head's loss against a naive double-precision formula written here from the definitions,
// and its gradient against central finite differences (ggml test-backend-ops style), with
// dropout off and on (the same mask for every evaluation), and non-uniform class weights.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "train/head_net.h"
#include "base/rng.h"

namespace blastscan {
namespace {

constexpr int B = 5, C = 13, K = 3;

struct Fixture {
  std::vector<float> features = std::vector<float>(B * C);
  std::vector<int> labels{0, 2, 1, 2, 0};
  std::vector<float> weights{1.0f, 0.5f, 2.0f, 0.5f, 1.0f};
  HeadNet net;
  Fixture() {
    Rng rng(7);
    for (auto& x : features) x = 2.f * rng.normal();
    net = make_head_net(C, K, B, 0.8f, 0.05f, rng);  // large decay so the L2 part shows in the gradient
    for (auto& p : net.params) p = 0.3f * rng.normal();  // far from the tiny initial weights: a non-trivial softmax
  }
};

// Loss from the definition: mean_n w_n * -log softmax(x_n . W + b)[y_n] + decay/2 * |W|^2.
double naive_loss(const Fixture& f) {
  double loss = 0;
  for (int n = 0; n < B; ++n) {
    std::vector<double> z(K);
    for (int k = 0; k < K; ++k) {
      z[k] = f.net.b()[k];
      for (int c = 0; c < C; ++c) z[k] += double(f.features[n * C + c]) * f.net.W()[c * K + k];
    }
    double sum = 0;
    for (double zk : z) sum += std::exp(zk);
    loss += f.weights[n] * -(z[f.labels[n]] - std::log(sum));
  }
  double l2 = 0;
  for (int i = 0; i < C * K; ++i) l2 += double(f.net.W()[i]) * f.net.W()[i];
  return loss / B + 0.5 * f.net.weight_decay * l2;
}

TEST(HeadGradients, LossMatchesTheDefinition) {
  Fixture f;
  const float loss = head_forward(f.net, f.features.data(), f.labels.data(), f.weights.data(), B, false, nullptr);
  EXPECT_NEAR(loss, naive_loss(f), 1e-5);
}

void check_gradient(bool training) {
  Fixture f;
  const Rng rng0(11);
  auto loss_at = [&] {
    Rng rng = rng0;  // same dropout mask every time
    return double(head_forward(f.net, f.features.data(), f.labels.data(), f.weights.data(), B, training, &rng));
  };
  loss_at();
  head_zero_grad(f.net);
  head_backward(f.net, f.labels.data(), f.weights.data());
  const std::vector<float> analytic = f.net.grads;
  const float eps = 1e-2f;
  double max_err = 0;
  for (size_t i = 0; i < f.net.params.size(); ++i) {
    const float saved = f.net.params[i];
    f.net.params[i] = saved + eps;
    const double up = loss_at();
    f.net.params[i] = saved - eps;
    const double down = loss_at();
    f.net.params[i] = saved;
    const double numeric = (up - down) / (2 * eps);
    const double err = std::fabs(numeric - analytic[i]) / std::max(1e-2, std::fabs(numeric));
    max_err = std::max(max_err, err);
    EXPECT_LT(err, 1e-2) << "param " << i << " numeric " << numeric << " analytic " << analytic[i];
  }
  // Something must be non-zero, or the check proves nothing.
  double norm = 0;
  for (float g : analytic) norm += std::fabs(g);
  EXPECT_GT(norm, 1e-2);
}

TEST(HeadGradients, MatchFiniteDifferencesWithoutDropout) { check_gradient(false); }
TEST(HeadGradients, MatchFiniteDifferencesWithDropout) { check_gradient(true); }

// The gradient with respect to the features (fine-tuning passes it on to the blocks below),
// through the dense layer and dropout's mask. Returns the largest relative error.
double feature_gradient_error(bool training, bool plant_bug) {
  Fixture f;
  const Rng rng0(13);
  auto loss_at = [&] {
    Rng rng = rng0;
    return double(head_forward(f.net, f.features.data(), f.labels.data(), f.weights.data(), B, training, &rng));
  };
  loss_at();
  head_zero_grad(f.net);
  std::vector<float> analytic(B * C, 0.f);
  head_backward(f.net, f.labels.data(), f.weights.data(), analytic.data());
  if (plant_bug)  // the bug: dropout's mask forgotten on the way back
    for (int i = 0; i < B * C; ++i) analytic[i] = f.net.mask[i] != 0.f ? analytic[i] / f.net.mask[i] : 0.5f;
  const float eps = 1e-2f;
  double max_err = 0, norm = 0;
  for (int i = 0; i < B * C; ++i) {
    const float saved = f.features[i];
    f.features[i] = saved + eps;
    const double up = loss_at();
    f.features[i] = saved - eps;
    const double down = loss_at();
    f.features[i] = saved;
    const double numeric = (up - down) / (2 * eps);
    max_err = std::max(max_err, std::fabs(numeric - analytic[i]) / std::max(1e-2, std::fabs(numeric)));
    norm += std::fabs(analytic[i]);
  }
  EXPECT_GT(norm, 1e-2);
  return max_err;
}

TEST(HeadGradients, FeatureGradientMatchesFiniteDifferences) {
  EXPECT_LT(feature_gradient_error(false, false), 1e-2);
  EXPECT_LT(feature_gradient_error(true, false), 1e-2);
}

TEST(HeadGradients, FeatureGradientCheckCatchesAPlantedBug) { EXPECT_GT(feature_gradient_error(true, true), 0.1); }

TEST(HeadGradients, DropoutKeepsAboutKeepAndScalesByItsInverse) {
  HeadNet net;
  Rng rng(3);
  net = make_head_net(1000, 2, 4, 0.8f, 0.f, rng);
  std::vector<float> ones(4 * 1000, 1.f);
  head_forward(net, ones.data(), nullptr, nullptr, 4, true, &rng);
  int kept = 0;
  for (float m : net.mask) {
    ASSERT_TRUE(m == 0.f || std::fabs(m - 1.25f) < 1e-6f);
    kept += m != 0.f;
  }
  EXPECT_NEAR(kept / 4000.0, 0.8, 0.03);
}

TEST(HeadGradients, InitialWeightsAreSmallTruncatedNormal) {
  Rng rng(50);
  const HeadNet net = make_head_net(1280, 4, 10, 0.8f, 4e-5f, rng);
  double sum2 = 0;
  for (int i = 0; i < 1280 * 4; ++i) {
    ASSERT_LE(std::fabs(net.W()[i]), 0.002f);
    sum2 += double(net.W()[i]) * net.W()[i];
  }
  const double sd = std::sqrt(sum2 / (1280 * 4));
  EXPECT_NEAR(sd, 0.00088, 0.00008);  // stddev of N(0,1) truncated at +-2 sigma is 0.8796
  for (int k = 0; k < 4; ++k) EXPECT_EQ(net.b()[k], 0.f);
}

TEST(HeadGradients, ModelHeadRoundTrips) {
  Fixture f;
  const Head head = to_model_head(f.net);
  EXPECT_EQ(head.weights.shape, (Shape{1, 1, C, K}));
  EXPECT_EQ(head.num_classes(), K);
  Rng rng(1);
  HeadNet other = make_head_net(C, K, B, 0.8f, 0.f, rng);
  load_model_head(other, head);
  EXPECT_EQ(other.params, f.net.params);
  HeadNet wrong = make_head_net(C + 1, K, B, 0.8f, 0.f, rng);
  EXPECT_THROW(load_model_head(wrong, head), std::exception);
}

}  // namespace
}  // namespace blastscan
