// Pool2d (oneDNN) against the naive loop: max pools with stride 2 VALID, and TF's AvgPool with
// SAME padding, whose border windows average only the real pixels.
#include <gtest/gtest.h>

#include "inception/inception_v3.h"
#include "nn/layer_harness.h"
#include "nn/pool2d.h"
#include "oracle/naive_layers.h"

namespace blastscan {
namespace {

struct PoolCase {
  PoolKind kind;
  int N, H, W, C, K, stride;
  Padding padding;
};

class Pool2dTest : public ::testing::TestWithParam<PoolCase> {};

TEST_P(Pool2dTest, MatchesNaiveLoop) {
  const PoolCase c = GetParam();
  const auto g = oracle::tf_geometry(c.N, c.H, c.W, c.C, c.K, c.K, c.stride, c.padding == Padding::Same);
  auto src = testing::random_vector(size_t(c.N) * c.H * c.W * c.C, 4);
  const auto expected = oracle::pool2d(g, c.kind == PoolKind::Max, src);

  dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  const auto src_desc = testing::nhwc_desc(c.N, c.C, c.H, c.W);
  const auto dst_desc = testing::nhwc_desc(c.N, c.C, g.OH(), g.OW());
  Pool2d pool(engine, src_desc, dst_desc, {.kind = c.kind, .KH = c.K, .KW = c.K, .SH = c.stride, .SW = c.stride, .PH_L = g.PT, .PH_R = g.PB, .PW_L = g.PL, .PW_R = g.PR});
  std::vector<float> dst(expected.size());
  testing::run_layer(engine, pool, src, src_desc, dst, dst_desc);

  long first_bad;
  EXPECT_LE(testing::max_diff(dst, expected, 1e-5f, first_bad), 1e-5f)
      << (c.kind == PoolKind::Max ? "max" : "avg") << " pool " << c.H << "x" << c.W << "x" << c.C << " k" << c.K
      << " s" << c.stride << " first bad index " << first_bad;
}

TEST(Pool2d, UsesAnOptimisedKernel) {  // see Conv2d.UsesAnOptimisedKernel
  dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  Pool2d pool(engine, testing::nhwc_desc(1, 288, 35, 35), testing::nhwc_desc(1, 288, 17, 17),
              {.kind = PoolKind::Max, .KH = 3, .KW = 3, .SH = 2, .SW = 2});
  EXPECT_NE(pool.impl().rfind("ref", 0), 0u) << pool.impl();
}

INSTANTIATE_TEST_SUITE_P(Shapes, Pool2dTest,
                         ::testing::Values(PoolCase{PoolKind::Max, 2, 9, 9, 13, 3, 2, Padding::Valid},
                                           PoolCase{PoolKind::Max, 1, 8, 7, 16, 3, 2, Padding::Valid},
                                           PoolCase{PoolKind::Average, 2, 7, 9, 13, 3, 1, Padding::Same},
                                           PoolCase{PoolKind::Average, 1, 5, 5, 32, 5, 1, Padding::Valid}));

}  // namespace
}  // namespace blastscan
