// TrainableConv2d: forward against the naive loop, and the weight, bias and input gradients
// against central finite differences on small odd shapes (uneven SAME padding with stride 2,
// 1x7 / 7x1 kernels, channels that are not a multiple of the SIMD width). A planted bug (the
// weight gradient with its kernel flipped, a classic transposed-convolution slip) must fail
// the same check. The parameters live in the conv's own weight layout: a backward writes their
// gradients whatever was there, adds the input gradient, and the layout's padding stays zero.
#include <gtest/gtest.h>

#include <cmath>

#include "inception/inception_v3.h"
#include "nn/cpu.h"
#include "nn/gradient_check.h"
#include "nn/layer_harness.h"
#include "nn/trainable_conv2d.h"
#include "oracle/naive_layers.h"

namespace blastscan {
namespace {

using testing::check_gradient;
using testing::GradientReport;

struct ConvCase {
  int N, H, W, IC, OC, KH, KW, stride;
  Padding padding;
  bool relu;
};

std::ostream& operator<<(std::ostream& os, const ConvCase& c) {
  return os << "N" << c.N << " " << c.H << "x" << c.W << "x" << c.IC << "->" << c.OC << " k" << c.KH << "x" << c.KW
            << " s" << c.stride << (c.padding == Padding::Same ? " SAME" : " VALID") << (c.relu ? " relu" : "");
}

// One conv over NHWC vectors, with the loss sum(dst . R).
struct ConvFixture {
  ConvCase c;
  oracle::Geometry g;
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  std::vector<float> src, weights, bias, R, dst, diff_weights, diff_bias, diff_src;  // HWIO weights
  std::vector<float> weights_layout, diff_weights_layout;  // the conv's own layout of the same
  dnnl::memory::desc src_desc, dst_desc;
  std::unique_ptr<TrainableConv2d> conv;
  std::vector<bool> relu_on;  // dst > 0 at the unperturbed point

  explicit ConvFixture(const ConvCase& cc)
      : c(cc), g(oracle::tf_geometry(c.N, c.H, c.W, c.IC, c.KH, c.KW, c.stride, c.padding == Padding::Same)) {
    src = testing::random_vector(size_t(c.N) * c.H * c.W * c.IC, 11);
    weights = testing::random_vector(size_t(c.KH) * c.KW * c.IC * c.OC, 12, -0.5f, 0.5f);
    bias = testing::random_vector(size_t(c.OC), 13, -0.3f, 0.3f);
    R = testing::random_vector(size_t(c.N) * g.OH() * g.OW() * c.OC, 14);
    dst.assign(R.size(), 0.f);
    diff_bias.assign(bias.size(), 0.f);
    diff_src.assign(src.size(), 0.f);
    src_desc = testing::nhwc_desc(c.N, c.IC, c.H, c.W);
    dst_desc = testing::nhwc_desc(c.N, c.OC, g.OH(), g.OW());
    conv = std::make_unique<TrainableConv2d>(engine, src_desc, dst_desc, c.KH, c.KW,
                                             Conv2dParams{.SH = c.stride, .SW = c.stride, .PH_L = g.PT, .PH_R = g.PB,
                                                          .PW_L = g.PL, .PW_R = g.PR, .relu = c.relu});
    weights_layout.assign(conv->weights_layout_size(), 0.f);
    diff_weights_layout.assign(conv->weights_layout_size(), 0.f);
    conv->bind({weights_layout.data(), bias.data(), diff_weights_layout.data(), diff_bias.data()});
    loss();
    for (float y : dst) relu_on.push_back(y > 0);
  }

  double loss() {  // of the HWIO weights as they are now
    conv->from_hwio(stream, weights.data(), weights_layout.data());
    conv->weights_changed(stream);
    conv->forward(stream, dnnl::memory(src_desc, engine, src.data()), dnnl::memory(dst_desc, engine, dst.data()));
    stream.wait();
    double sum = 0;
    for (size_t i = 0; i < dst.size(); ++i) sum += double(dst[i]) * R[i];
    return sum;
  }
  // The loss, or nothing when a ReLU output changed side (the kink is not differentiable).
  std::optional<double> probe() {
    const double value = loss();
    if (c.relu)
      for (size_t i = 0; i < dst.size(); ++i)
        if ((dst[i] > 0) != relu_on[i]) return std::nullopt;
    return value;
  }
  void backward(GradientWrite diff_src_write = GradientWrite::add) {
    loss();
    dnnl::memory diff_src_memory(src_desc, engine, diff_src.data());
    conv->backward(stream, dnnl::memory(dst_desc, engine, R.data()), &diff_src_memory, diff_src_write);
    stream.wait();
    diff_weights.assign(weights.size(), 0.f);
    conv->to_hwio(stream, diff_weights_layout.data(), diff_weights.data());
  }
};

void expect_passes(const GradientReport& r, const ConvCase& c) {
  EXPECT_EQ(r.failed, 0) << c << ": " << r.first_failure << " (max |error| " << r.max_error << ")";
  EXPECT_GT(r.checked, 0) << c;
  EXPECT_LE(r.skipped, r.checked / 4) << c << ": too many probes crossed a ReLU kink";
  EXPECT_GT(r.analytic_norm, 1e-2) << c << ": all-zero gradients prove nothing";
}

class TrainableConv2dTest : public ::testing::TestWithParam<ConvCase> {};

TEST_P(TrainableConv2dTest, ForwardMatchesNaiveLoop) {
  ConvFixture f(GetParam());
  const auto expected = oracle::conv2d(f.g, f.c.OC, f.src, f.weights, f.bias, f.c.relu);
  long first_bad;
  EXPECT_LE(testing::max_diff(f.dst, expected, 1e-4f, first_bad), 1e-4f) << f.c << " first bad " << first_bad;
}

TEST_P(TrainableConv2dTest, GradientsMatchFiniteDifferences) {
  ConvFixture f(GetParam());
  f.backward();
  const auto probe = [&] { return f.probe(); };
  const auto all = testing::all_indices;
  // The conv is linear in each parameter between kinks, so a small step loses nothing but
  // float rounding, and crosses fewer kinks.
  const float eps = 1e-3f;
  expect_passes(check_gradient("diff_weights", f.weights, f.diff_weights, probe, all(f.weights.size()), eps), f.c);
  expect_passes(check_gradient("diff_bias", f.bias, f.diff_bias, probe, all(f.bias.size()), eps), f.c);
  expect_passes(check_gradient("diff_src", f.src, f.diff_src, probe, all(f.src.size()), eps), f.c);
}

// The parameter gradients are each backward's own (one conv owns its weights: nothing to zero
// per step), the input gradient adds up (several branches may share the input).
TEST_P(TrainableConv2dTest, BackwardWritesParameterGradientsAndAddsTheInputGradient) {
  ConvFixture f(GetParam());
  f.backward();
  const auto once_w = f.diff_weights, once_b = f.diff_bias, once_src = f.diff_src;
  std::fill(f.diff_weights_layout.begin(), f.diff_weights_layout.end(), 1e3f);
  std::fill(f.diff_bias.begin(), f.diff_bias.end(), 1e3f);
  f.backward();
  for (size_t i = 0; i < once_w.size(); ++i) ASSERT_EQ(f.diff_weights[i], once_w[i]) << f.c << " " << i;
  for (size_t i = 0; i < once_b.size(); ++i) ASSERT_EQ(f.diff_bias[i], once_b[i]) << f.c << " " << i;
  for (size_t i = 0; i < once_src.size(); ++i) ASSERT_FLOAT_EQ(f.diff_src[i], 2 * once_src[i]) << i;
}

// The first consumer of a tensor assigns its gradient (no zeroing before backward): whatever
// the buffer held is replaced.
TEST_P(TrainableConv2dTest, AssignReplacesTheInputGradient) {
  ConvFixture f(GetParam());
  f.backward();
  const auto once_src = f.diff_src;
  std::fill(f.diff_src.begin(), f.diff_src.end(), 1e3f);
  f.backward(GradientWrite::assign);
  for (size_t i = 0; i < once_src.size(); ++i) ASSERT_EQ(f.diff_src[i], once_src[i]) << f.c << " " << i;
}

// The optimiser updates the weight layout element by element, padding included (channels
// that are not a multiple of the block): the conversion must be exact both ways, and the
// padding of weights and gradients zero, so an update never moves it.
TEST_P(TrainableConv2dTest, WeightLayoutRoundTripsAndItsPaddingStaysZero) {
  ConvFixture f(GetParam());
  ASSERT_GE(f.weights_layout.size(), f.weights.size());
  std::vector<float> back(f.weights.size());
  f.conv->to_hwio(f.stream, f.weights_layout.data(), back.data());
  EXPECT_EQ(back, f.weights) << f.c;
  std::fill(f.diff_weights_layout.begin(), f.diff_weights_layout.end(), 1e3f);
  f.backward();
  const auto abs_sum = [](const std::vector<float>& v) {
    double sum = 0;
    for (float x : v) sum += std::fabs(double(x));
    return sum;
  };
  // (the same numbers summed in another order: equal but for double rounding)
  EXPECT_NEAR(abs_sum(f.weights_layout), abs_sum(f.weights), 1e-9 * abs_sum(f.weights)) << f.c;
  EXPECT_NEAR(abs_sum(f.diff_weights_layout), abs_sum(f.diff_weights), 1e-9 * abs_sum(f.diff_weights))
      << f.c << ": the padding holds gradient";
  EXPECT_GT(abs_sum(f.diff_weights), 1e-2) << f.c;
}

TEST(TrainableConv2d, PlantedBugFailsTheCheck) {
  ConvFixture f({2, 7, 6, 5, 6, 3, 3, 2, Padding::Same, true});
  f.backward();
  // The planted bug: the weight gradient of the kernel rotated by 180 degrees.
  std::vector<float> flipped(f.diff_weights.size());
  const size_t per_tap = size_t(f.c.IC) * f.c.OC;
  for (int kh = 0; kh < f.c.KH; ++kh)
    for (int kw = 0; kw < f.c.KW; ++kw)
      std::copy_n(f.diff_weights.begin() + ptrdiff_t((size_t(kh) * f.c.KW + kw) * per_tap), per_tap,
                  flipped.begin() + ptrdiff_t((size_t(f.c.KH - 1 - kh) * f.c.KW + (f.c.KW - 1 - kw)) * per_tap));
  const auto r = check_gradient("flipped diff_weights", f.weights, flipped, [&] { return f.probe(); },
                                testing::all_indices(f.weights.size()), 1e-3f);
  EXPECT_GT(r.failed, r.checked / 4) << f.c;
}

INSTANTIATE_TEST_SUITE_P(Shapes, TrainableConv2dTest,
                         ::testing::Values(ConvCase{2, 7, 6, 5, 6, 3, 3, 2, Padding::Same, true},
                                           ConvCase{1, 9, 9, 3, 8, 3, 3, 2, Padding::Valid, true},
                                           ConvCase{2, 5, 9, 4, 7, 1, 7, 1, Padding::Same, true},
                                           ConvCase{1, 8, 5, 6, 5, 7, 1, 1, Padding::Same, false},
                                           ConvCase{3, 4, 5, 13, 3, 1, 1, 1, Padding::Valid, true}));

// Fine-tuning relies on oneDNN's optimised kernels in every direction, in the blocked layout
// the trainable stack uses (nChw16c with AVX-512, nChw8c with AVX2 only), at a Mixed_7a shape.
// Not a timing test: which kernel was chosen.
TEST(TrainableConv2d, UsesOptimisedKernels) {
  dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  const auto blocked = [](int C, int H, int W) {
    return dnnl::memory::desc({10, C, H, W}, dnnl::memory::data_type::f32, blocked_activation_tag());
  };
  const TrainableConv2d one_by_seven(engine, blocked(192, 17, 17), blocked(192, 17, 17), 1, 7,
                                       {.SH = 1, .SW = 1, .PH_L = 0, .PH_R = 0, .PW_L = 3, .PW_R = 3, .relu = true});
  const TrainableConv2d stride_two(engine, blocked(192, 17, 17), blocked(320, 8, 8), 3, 3, {.SH = 2, .SW = 2});
  for (const auto* conv : {&one_by_seven, &stride_two}) {
    const std::string impl = conv->impl();
    EXPECT_EQ(impl.find("ref"), std::string::npos) << impl;
  }
}

}  // namespace
}  // namespace blastscan
