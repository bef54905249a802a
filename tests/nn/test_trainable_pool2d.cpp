// TrainablePool2d: forward against the naive loop, and the input gradient against central
// finite differences for max pooling (through oneDNN's workspace), TF's AvgPool that excludes
// padding, and a global average pool; odd shapes, uneven SAME padding. Max-pool inputs are a
// shuffled grid whose values are further apart than the probe step, so no probe changes a
// window's winner. Planted bug: average pooling's gradient as if it counted the padding.
#include <gtest/gtest.h>

#include <numeric>
#include <random>

#include "inception/inception_v3.h"
#include "nn/gradient_check.h"
#include "nn/layer_harness.h"
#include "nn/trainable_pool2d.h"
#include "oracle/naive_layers.h"

namespace blastscan {
namespace {

struct PoolCase {
  PoolKind kind;
  int N, H, W, C, KH, KW, stride;
  Padding padding;
};

std::ostream& operator<<(std::ostream& os, const PoolCase& c) {
  return os << (c.kind == PoolKind::Max ? "max" : "avg") << " N" << c.N << " " << c.H << "x" << c.W << "x" << c.C
            << " k" << c.KH << "x" << c.KW << " s" << c.stride << (c.padding == Padding::Same ? " SAME" : " VALID");
}

struct PoolFixture {
  PoolCase c;
  oracle::Geometry g;
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  std::vector<float> src, R, dst, diff_src;
  dnnl::memory::desc src_desc, dst_desc;
  std::unique_ptr<TrainablePool2d> pool;

  explicit PoolFixture(const PoolCase& cc) : c(cc) {
    g = oracle::tf_geometry(c.N, c.H, c.W, c.C, c.KH, c.KW, c.stride, c.padding == Padding::Same);
    src.resize(size_t(c.N) * c.H * c.W * c.C);
    std::iota(src.begin(), src.end(), 0.f);  // distinct values 0.05 apart, shuffled
    std::shuffle(src.begin(), src.end(), std::mt19937(21));
    for (auto& x : src) x = 0.05f * x - 0.025f * float(src.size());
    R = testing::random_vector(size_t(c.N) * g.OH() * g.OW() * c.C, 22);
    dst.assign(R.size(), 0.f);
    diff_src.assign(src.size(), 0.f);
    src_desc = testing::nhwc_desc(c.N, c.C, c.H, c.W);
    dst_desc = testing::nhwc_desc(c.N, c.C, g.OH(), g.OW());
    pool = std::make_unique<TrainablePool2d>(engine, src_desc, dst_desc,
                                             Pool2dParams{.kind = c.kind, .KH = c.KH, .KW = c.KW, .SH = c.stride, .SW = c.stride, .PH_L = g.PT,
                                                          .PH_R = g.PB, .PW_L = g.PL, .PW_R = g.PR});
  }
  std::optional<double> loss() {
    pool->forward(stream, dnnl::memory(src_desc, engine, src.data()), dnnl::memory(dst_desc, engine, dst.data()));
    stream.wait();
    double sum = 0;
    for (size_t i = 0; i < dst.size(); ++i) sum += double(dst[i]) * R[i];
    return sum;
  }
  void backward(GradientWrite diff_src_write = GradientWrite::add) {
    loss();
    pool->backward(stream, dnnl::memory(dst_desc, engine, R.data()), dnnl::memory(src_desc, engine, diff_src.data()),
                   diff_src_write);
    stream.wait();
  }
};

class TrainablePool2dTest : public ::testing::TestWithParam<PoolCase> {};

TEST_P(TrainablePool2dTest, ForwardMatchesNaiveLoop) {
  PoolFixture f(GetParam());
  f.loss();
  const auto expected = oracle::pool2d(f.g, f.c.kind == PoolKind::Max, f.src);
  long first_bad;
  EXPECT_LE(testing::max_diff(f.dst, expected, 1e-4f, first_bad), 1e-4f) << f.c << " first bad " << first_bad;
}

TEST_P(TrainablePool2dTest, InputGradientMatchesFiniteDifferences) {
  PoolFixture f(GetParam());
  f.backward();
  const auto r = testing::check_gradient("diff_src", f.src, f.diff_src, [&] { return f.loss(); },
                                         testing::all_indices(f.src.size()));
  EXPECT_EQ(r.failed, 0) << f.c << ": " << r.first_failure;
  EXPECT_EQ(r.checked, int(f.src.size())) << f.c;
  EXPECT_GT(r.analytic_norm, 1e-2) << f.c;
}

TEST_P(TrainablePool2dTest, BackwardAddsIntoTheGradient) {
  PoolFixture f(GetParam());
  f.backward();
  const auto once = f.diff_src;
  f.backward();
  for (size_t i = 0; i < once.size(); ++i) ASSERT_FLOAT_EQ(f.diff_src[i], 2 * once[i]) << i;
}

TEST_P(TrainablePool2dTest, AssignReplacesTheGradient) {
  PoolFixture f(GetParam());
  f.backward();
  const auto once = f.diff_src;
  std::fill(f.diff_src.begin(), f.diff_src.end(), 1e3f);
  f.backward(GradientWrite::assign);
  for (size_t i = 0; i < once.size(); ++i) ASSERT_EQ(f.diff_src[i], once[i]) << f.c << " " << i;
}

INSTANTIATE_TEST_SUITE_P(Shapes, TrainablePool2dTest,
                         ::testing::Values(PoolCase{PoolKind::Max, 2, 9, 7, 5, 3, 3, 2, Padding::Valid},
                                           PoolCase{PoolKind::Max, 1, 8, 6, 13, 3, 3, 2, Padding::Same},
                                           PoolCase{PoolKind::Average, 2, 7, 5, 3, 3, 3, 1, Padding::Same},
                                           PoolCase{PoolKind::Average, 1, 6, 9, 17, 3, 3, 2, Padding::Same},
                                           // the global average (Logits/AvgPool_1a_8x8) on a 5x3 map
                                           PoolCase{PoolKind::Average, 3, 5, 3, 7, 5, 3, 1, Padding::Valid}));

TEST(TrainablePool2d, PlantedBugFailsTheCheck) {
  // Average pooling, SAME, where border windows hold fewer than 9 real pixels.
  PoolFixture f({PoolKind::Average, 1, 5, 4, 3, 3, 3, 1, Padding::Same});
  f.backward();
  // The bug: every window divided by 9, as if the padding counted (pooling_avg_include_padding).
  std::vector<float> wrong(f.src.size(), 0.f);
  for (int oh = 0; oh < f.g.OH(); ++oh)
    for (int ow = 0; ow < f.g.OW(); ++ow)
      for (int kh = 0; kh < 3; ++kh)
        for (int kw = 0; kw < 3; ++kw) {
          const int ih = oh - f.g.PT + kh, iw = ow - f.g.PL + kw;
          if (ih < 0 || ih >= 5 || iw < 0 || iw >= 4) continue;
          for (int ch = 0; ch < 3; ++ch)
            wrong[(size_t(ih) * 4 + iw) * 3 + ch] += f.R[(size_t(oh) * f.g.OW() + ow) * 3 + ch] / 9.f;
        }
  const auto r = testing::check_gradient("include-padding diff_src", f.src, wrong, [&] { return f.loss(); },
                                         testing::all_indices(f.src.size()));
  EXPECT_GT(r.failed, 0);
}

}  // namespace
}  // namespace blastscan
