// The trainable stack: (a) on the shared ImageNet backbone, the frozen part up to Mixed_6e and
// the trainable blocks above it together give the inference Network's features; (b) on a tiny
// random stack (Mixed_7a and Mixed_7b on a 139-pixel input, so 7x7 and 3x3 maps: max pool,
// stride-2 convs, 1x7/7x1 kernels, nested concats, fan-out everywhere), the
// gradients of a spread-out sample of every conv's weights and biases against central finite
// differences of loss = sum(features . R).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "common/paths.h"
#include "formats/graphdef.h"
#include "inception/network.h"
#include "inception/random_model.h"
#include "inception/trainable_stack.h"
#include "nn/gradient_check.h"

namespace blastscan {
namespace {

std::vector<float> random_input(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  std::vector<float> v(n);
  for (auto& x : v) x = u(rng);
  return v;
}

TEST(TrainableStack, MatchesTheInferenceNetworkOnTheSharedBackbone) {
  const Model model = load_model(testing::backbone_pb());
  ASSERT_EQ(model.endpoint, "Mixed_7a");
  constexpr int N = 2, S = 299;
  const auto images = random_input(size_t(N) * S * S * 3, 5);
  Network network(model, {.batch = N});
  const Tensor expected = network.run(images.data(), N).features;

  Model lower = model;
  lower.endpoint = "Mixed_6e";
  TrainableStack frozen(lower, "input", {.batch = N, .backward = false});
  std::vector<float> unused(size_t(N) * 768);
  frozen.forward(images.data(), N, unused.data());
  const LayerShape cut = frozen.output_shape();
  ASSERT_EQ(cut.H, 17);
  ASSERT_EQ(cut.C, 768);
  std::vector<float> activation(size_t(N) * cut.H * cut.W * cut.C);
  frozen.output_activation(activation.data());

  TrainableStack top(model, "Mixed_6e", {.batch = N});
  EXPECT_EQ(top.conv_slots().size(), 6u);  // Mixed_7a's convs
  std::vector<float> features(size_t(N) * 1280);
  top.forward(activation.data(), N, features.data());
  double max_diff = 0, max_value = 0;
  for (size_t i = 0; i < features.size(); ++i) {
    max_diff = std::max(max_diff, double(std::fabs(features[i] - expected.data[i])));
    max_value = std::max(max_value, double(std::fabs(expected.data[i])));
  }
  EXPECT_LE(max_diff, 1e-5) << "largest feature " << max_value;
  EXPECT_GT(max_value, 0.1);  // not all zero
}

TEST(TrainableStack, ShortBatchGivesTheSameRows) {
  const Model model = make_random_model("Mixed_7b", 0, 3);
  TrainableStack stack(model, "Mixed_7a", {.batch = 3, .image_size = 139});
  const LayerShape in = stack.input_shape();
  const size_t row = size_t(in.H) * in.W * in.C, C = size_t(stack.output_shape().C);
  const auto input = random_input(3 * row, 8);
  std::vector<float> full(3 * C), one(C);
  stack.forward(input.data(), 3, full.data());
  stack.forward(input.data() + row, 1, one.data());
  for (size_t c = 0; c < C; ++c) ASSERT_NEAR(one[c], full[C + c], 1e-5f) << c;
}

// The stack is piecewise linear: central differences are exact between kinks but for float
// rounding. So the test model has no kink near its operating point: small weights and biases
// of +-10 put every ReLU far on one side (every 4th channel is off, so a ReLU backward that let
// its gradient through would show), and a probe step of 0.03 moves no unit across zero.
Model far_from_kinks(Model model) {
  for (auto& [name, conv] : model.convs) {
    for (auto& w : conv.weights.data) w *= 0.05f;
    for (int64_t c = 0; c < conv.bias.size(); ++c) conv.bias.data[size_t(c)] = c % 4 == 3 ? -10.f : 10.f;
  }
  return model;
}

void check_stack_gradients(const std::string& from, const std::string& to, int expected_convs) {
  const Model model = far_from_kinks(make_random_model(to, 0, 7));
  constexpr int N = 2;
  TrainableStack stack(model, from, {.batch = N, .image_size = 139});
  const LayerShape in = stack.input_shape(), out = stack.output_shape();
  const auto input = random_input(size_t(N) * in.H * in.W * in.C, 9);
  const auto R = random_input(size_t(N) * out.C, 10);
  std::vector<float> features(R.size());
  std::vector<float> parameters = stack.to_graph_order(stack.parameters());  // what the probes perturb
  const auto loss = [&] {
    stack.load_graph_order(parameters);
    stack.forward(input.data(), N, features.data());
    double sum = 0;
    for (size_t i = 0; i < R.size(); ++i) sum += double(features[i]) * R[i];
    return sum;
  };
  loss();
  // A backward of another loss first leaves its activation and parameter gradients behind; the
  // checked one must not see them (the first consumer of each activation assigns its
  // gradient, each conv writes its own, nothing is zeroed).
  const auto R_before = random_input(R.size(), 11);
  stack.backward(R_before.data());
  stack.backward(R.data());
  const std::vector<float> analytic = stack.to_graph_order(stack.gradients());

  // Two weights and one bias of every conv.
  ASSERT_EQ(stack.conv_slots().size(), size_t(expected_convs));
  std::vector<size_t> probes;
  for (const auto& slot : stack.conv_slots())
    probes.insert(probes.end(), {slot.weights_offset + slot.weight_count / 3, slot.weights_offset + slot.weight_count * 4 / 5,
                                 slot.bias_offset + slot.bias_count / 2});
  // The loss sums float features: each carries a rounding error of about 2^-23 of itself
  // (more through deep sums), so the loss is noisy by ~2^-22 |f o R|_2 and a central difference
  // by that over 2 eps. Small true gradients (Mixed_7b's reach ~1e-3 on AVX2 kernels) need
  // an absolute tolerance above that noise, four times it, and never below the default.
  double noise = 0;
  for (size_t i = 0; i < R.size(); ++i) {
    const double term = double(features[i]) * R[i];
    noise += term * term;
  }
  constexpr float eps = 3e-2f;
  const double atol = std::max(1e-3, 4 * std::ldexp(std::sqrt(noise), -22) / (2 * eps));
  const auto r = testing::check_gradient("parameters", parameters, analytic,
                                         [&]() -> std::optional<double> { return loss(); }, probes, eps, 1e-2, atol);
  EXPECT_EQ(r.failed, 0) << r.failed << " of " << r.checked << "; first " << r.first_failure;
  EXPECT_EQ(r.checked, 3 * expected_convs);
  EXPECT_GT(r.analytic_norm, 1e-2);
}

// The stack keeps its parameters in its convolutions' layouts; the graph-order form is the
// model's HWIO weights and biases in conv_slots() order, both ways exactly.
TEST(TrainableStack, GraphOrderIsTheModelsWeightsBothWays) {
  const Model model = make_random_model("Mixed_7b", 0, 4);
  TrainableStack stack(model, "Mixed_7a", {.batch = 1, .image_size = 139});
  std::vector<float> expected;
  for (const auto& slot : stack.conv_slots()) {
    const auto& conv = model.convs.at(slot.name);
    ASSERT_EQ(slot.weights_offset, expected.size());
    expected.insert(expected.end(), conv.weights.data.begin(), conv.weights.data.end());
    ASSERT_EQ(slot.bias_offset, expected.size());
    expected.insert(expected.end(), conv.bias.data.begin(), conv.bias.data.end());
  }
  ASSERT_EQ(stack.graph_order_size(), expected.size());
  EXPECT_EQ(stack.to_graph_order(stack.parameters()), expected);
  const auto other = random_input(expected.size(), 12);
  stack.load_graph_order(other);
  EXPECT_EQ(stack.to_graph_order(stack.parameters()), other);
  Model stored = model;
  stack.store_parameters(stored);
  const auto first = stack.conv_slots().front();
  EXPECT_EQ(stored.convs.at(first.name).weights.data,
            std::vector<float>(other.begin() + ptrdiff_t(first.weights_offset),
                               other.begin() + ptrdiff_t(first.weights_offset + first.weight_count)));
}

// Mixed_6e: factorised 1x7 / 7x1 convs with SAME padding, average-pool branch, fan-out.
TEST(TrainableStack, GradientsMatchFiniteDifferencesThroughMixed6e) { check_stack_gradients("Mixed_6d", "Mixed_6e", 10); }
// Mixed_7a (17x17 -> 8x8 at full size; 7x7 -> 3x3 here): max pool, stride-2 VALID convs, 1x7/7x1.
TEST(TrainableStack, GradientsMatchFiniteDifferencesThroughMixed7a) { check_stack_gradients("Mixed_6e", "Mixed_7a", 6); }
// Mixed_7b: average pool, fan-out of the block input and of two branch tensors, nested concats.
TEST(TrainableStack, GradientsMatchFiniteDifferencesThroughMixed7b) { check_stack_gradients("Mixed_7a", "Mixed_7b", 9); }

}  // namespace
}  // namespace blastscan
