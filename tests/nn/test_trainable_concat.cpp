// TrainableConcat and fan-out: the forward against a plain channel concatenation, each input's
// gradient against finite differences; and one tensor feeding two layers (a conv and an
// average pool, as an Inception block's branches do) whose gradients add into one buffer.
// Planted bug: the slices handed back in the wrong order.
#include <gtest/gtest.h>

#include "nn/gradient_check.h"
#include "nn/layer_harness.h"
#include "nn/trainable_concat.h"
#include "nn/trainable_conv2d.h"
#include "nn/trainable_pool2d.h"

namespace blastscan {
namespace {

constexpr int N = 2, H = 3, W = 5;
const std::vector<int> kChannels{3, 7, 2};

struct ConcatFixture {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  std::vector<std::vector<float>> srcs, diff_srcs;
  std::vector<dnnl::memory::desc> src_descs;
  std::vector<float> R, dst;
  dnnl::memory::desc dst_desc;
  std::unique_ptr<TrainableConcat> concat;
  int C = 0;

  ConcatFixture() {
    for (size_t i = 0; i < kChannels.size(); ++i) {
      srcs.push_back(testing::random_vector(size_t(N) * H * W * kChannels[i], 31 + unsigned(i)));
      diff_srcs.emplace_back(srcs.back().size(), 0.f);
      src_descs.push_back(testing::nhwc_desc(N, kChannels[i], H, W));
      C += kChannels[i];
    }
    dst_desc = testing::nhwc_desc(N, C, H, W);
    R = testing::random_vector(size_t(N) * H * W * C, 39);
    dst.assign(R.size(), 0.f);
    concat = std::make_unique<TrainableConcat>(engine, src_descs, dst_desc);
  }
  std::vector<dnnl::memory> wrap(std::vector<std::vector<float>>& buffers) {
    std::vector<dnnl::memory> m;
    for (size_t i = 0; i < buffers.size(); ++i) m.emplace_back(src_descs[i], engine, buffers[i].data());
    return m;
  }
  std::optional<double> loss() {
    concat->forward(stream, wrap(srcs), dnnl::memory(dst_desc, engine, dst.data()));
    stream.wait();
    double sum = 0;
    for (size_t i = 0; i < dst.size(); ++i) sum += double(dst[i]) * R[i];
    return sum;
  }
};

TEST(TrainableConcat, ForwardPlacesEachInputInItsChannels) {
  ConcatFixture f;
  f.loss();
  for (int pixel = 0; pixel < N * H * W; ++pixel) {
    int offset = 0;
    for (size_t i = 0; i < kChannels.size(); ++i) {
      for (int c = 0; c < kChannels[i]; ++c)
        ASSERT_EQ(f.dst[size_t(pixel) * f.C + offset + c], f.srcs[i][size_t(pixel) * kChannels[i] + c]);
      offset += kChannels[i];
    }
  }
}

TEST(TrainableConcat, InputGradientsMatchFiniteDifferences) {
  ConcatFixture f;
  f.concat->backward(f.stream, dnnl::memory(f.dst_desc, f.engine, f.R.data()), f.wrap(f.diff_srcs));
  f.stream.wait();
  for (size_t i = 0; i < kChannels.size(); ++i) {
    const auto r = testing::check_gradient("diff_src" + std::to_string(i), f.srcs[i], f.diff_srcs[i],
                                           [&] { return f.loss(); }, testing::all_indices(f.srcs[i].size()));
    EXPECT_EQ(r.failed, 0) << r.first_failure;
    EXPECT_GT(r.analytic_norm, 1e-2);
  }
}

// Where the concatenation is an input's first consumer it assigns that input's gradient:
// inputs 0 and 2 start as garbage and are assigned, input 1 starts at zero and is added into.
TEST(TrainableConcat, AssignedSlicesReplaceWhatWasThere) {
  ConcatFixture f;
  std::fill(f.diff_srcs[0].begin(), f.diff_srcs[0].end(), 1e3f);
  std::fill(f.diff_srcs[2].begin(), f.diff_srcs[2].end(), -1e3f);
  f.concat->backward(f.stream, dnnl::memory(f.dst_desc, f.engine, f.R.data()), f.wrap(f.diff_srcs),
                     {GradientWrite::assign, GradientWrite::add, GradientWrite::assign});
  f.stream.wait();
  for (size_t i = 0; i < kChannels.size(); ++i) {
    const auto r = testing::check_gradient("diff_src" + std::to_string(i), f.srcs[i], f.diff_srcs[i],
                                           [&] { return f.loss(); }, testing::all_indices(f.srcs[i].size()));
    EXPECT_EQ(r.failed, 0) << r.first_failure;
  }
}

TEST(TrainableConcat, PlantedBugFailsTheCheck) {
  ConcatFixture f;
  f.concat->backward(f.stream, dnnl::memory(f.dst_desc, f.engine, f.R.data()), f.wrap(f.diff_srcs));
  f.stream.wait();
  // The bug: input 0 is given input 0's slice of the next pixel (an off-by-one channel stride).
  std::vector<float> shifted(f.diff_srcs[0].size());
  for (size_t i = 0; i < shifted.size(); ++i) shifted[i] = f.diff_srcs[0][(i + size_t(kChannels[0])) % shifted.size()];
  const auto r = testing::check_gradient("shifted diff_src0", f.srcs[0], shifted, [&] { return f.loss(); },
                                         testing::all_indices(f.srcs[0].size()));
  EXPECT_GT(r.failed, 0);
}

// Fan-out: x feeds conv(x) and avgpool(x); loss = sum(conv(x) . R1) + sum(pool(x) . R2).
// diff_x starts at `initial`; the conv's backward runs first and writes it as `first`, the
// pool's adds. Returns the finite-difference check of diff_x.
testing::GradientReport fan_out_check(float initial, GradientWrite first) {
  dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(engine);
  constexpr int IC = 5, OC = 4;
  const auto x_desc = testing::nhwc_desc(N, IC, H, W), conv_desc = testing::nhwc_desc(N, OC, H, W);
  auto x = testing::random_vector(size_t(N) * H * W * IC, 41);
  auto weights = testing::random_vector(size_t(3) * 3 * IC * OC, 42, -0.5f, 0.5f);
  auto bias = testing::random_vector(OC, 43);
  std::vector<float> diff_bias(OC), diff_x(x.size(), initial);
  const auto R1 = testing::random_vector(size_t(N) * H * W * OC, 44), R2 = testing::random_vector(x.size(), 45);
  std::vector<float> y1(R1.size()), y2(R2.size());
  TrainableConv2d conv(engine, x_desc, conv_desc, 3, 3, {.SH = 1, .SW = 1, .PH_L = 1, .PH_R = 1, .PW_L = 1, .PW_R = 1, .relu = false});
  std::vector<float> weights_layout(conv.weights_layout_size()), diff_weights(conv.weights_layout_size());
  conv.from_hwio(stream, weights.data(), weights_layout.data());
  conv.bind({weights_layout.data(), bias.data(), diff_weights.data(), diff_bias.data()});
  conv.weights_changed(stream);
  TrainablePool2d pool(engine, x_desc, x_desc, {.kind = PoolKind::Average, .KH = 3, .KW = 3, .SH = 1, .SW = 1, .PH_L = 1, .PH_R = 1, .PW_L = 1, .PW_R = 1});
  const auto loss = [&]() -> std::optional<double> {
    const dnnl::memory xm(x_desc, engine, x.data());
    conv.forward(stream, xm, dnnl::memory(conv_desc, engine, y1.data()));
    pool.forward(stream, xm, dnnl::memory(x_desc, engine, y2.data()));
    stream.wait();
    double sum = 0;
    for (size_t i = 0; i < y1.size(); ++i) sum += double(y1[i]) * R1[i];
    for (size_t i = 0; i < y2.size(); ++i) sum += double(y2[i]) * R2[i];
    return sum;
  };
  loss();
  const dnnl::memory diff_xm(x_desc, engine, diff_x.data());
  conv.backward(stream, dnnl::memory(conv_desc, engine, const_cast<float*>(R1.data())), &diff_xm, first);
  pool.backward(stream, dnnl::memory(x_desc, engine, const_cast<float*>(R2.data())), diff_xm);
  stream.wait();
  return testing::check_gradient("diff_x", x, diff_x, loss, testing::all_indices(x.size()));
}

TEST(FanOut, BranchGradientsAddIntoTheSharedInput) {
  const auto r = fan_out_check(0.f, GradientWrite::add);
  EXPECT_EQ(r.failed, 0) << r.first_failure;
  EXPECT_EQ(r.checked, N * H * W * 5);
}

// The trainable stack zeroes no activation gradient: the first consumer assigns.
TEST(FanOut, FirstConsumerAssignsSoNothingNeedsZeroing) {
  const auto r = fan_out_check(1e3f, GradientWrite::assign);
  EXPECT_EQ(r.failed, 0) << r.first_failure;
  EXPECT_EQ(r.checked, N * H * W * 5);
  // Adding onto the same garbage must fail: the check sees what was there.
  EXPECT_GT(fan_out_check(1e3f, GradientWrite::add).failed, 0);
}

}  // namespace
}  // namespace blastscan
