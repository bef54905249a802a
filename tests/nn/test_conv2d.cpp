// Conv2d (oneDNN) against the naive loop, on odd shapes: uneven TF SAME padding with stride 2,
// 1x7 / 7x1 kernels, channel counts that are not multiples of the SIMD width.
#include <gtest/gtest.h>

#include "inception/inception_v3.h"
#include "nn/conv2d.h"
#include "nn/cpu.h"
#include "nn/layer_harness.h"
#include "oracle/naive_layers.h"

namespace blastscan {
namespace {

struct ConvCase {
  int N, H, W, IC, OC, KH, KW, stride;
  Padding padding;
  bool relu;
};

class Conv2dTest : public ::testing::TestWithParam<ConvCase> {};

TEST_P(Conv2dTest, MatchesNaiveLoop) {
  const ConvCase c = GetParam();
  const auto g = oracle::tf_geometry(c.N, c.H, c.W, c.IC, c.KH, c.KW, c.stride, c.padding == Padding::Same);
  auto src = testing::random_vector(size_t(c.N) * c.H * c.W * c.IC, 1);
  const auto weights = testing::random_vector(size_t(c.KH) * c.KW * c.IC * c.OC, 2);
  const auto bias = testing::random_vector(size_t(c.OC), 3);
  const auto expected = oracle::conv2d(g, c.OC, src, weights, bias, c.relu);
  ASSERT_EQ(g.OH(), output_size(c.H, c.KH, c.stride, c.padding));

  dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  const auto src_desc = testing::nhwc_desc(c.N, c.IC, c.H, c.W);
  const auto dst_desc = testing::nhwc_desc(c.N, c.OC, g.OH(), g.OW());
  Conv2d conv(engine, src_desc, dst_desc, Tensor({c.KH, c.KW, c.IC, c.OC}, weights), Tensor({c.OC}, bias),
              {.SH = c.stride, .SW = c.stride, .PH_L = g.PT, .PH_R = g.PB, .PW_L = g.PL, .PW_R = g.PR, .relu = c.relu});
  std::vector<float> dst(expected.size());
  testing::run_layer(engine, conv, src, src_desc, dst, dst_desc);

  long first_bad;
  const float diff = testing::max_diff(dst, expected, 1e-4f, first_bad);
  EXPECT_LE(diff, 1e-4f) << "conv N" << c.N << " " << c.H << "x" << c.W << "x" << c.IC << " -> " << c.OC << " k"
                         << c.KH << "x" << c.KW << " s" << c.stride << " first bad index " << first_bad
                         << " got " << (first_bad >= 0 ? dst[size_t(first_bad)] : 0) << " expected "
                         << (first_bad >= 0 ? expected[size_t(first_bad)] : 0);
}

// The network relies on oneDNN's optimised kernels; its reference kernels are 10-100x slower
// (e.g. they are all it has for strided sub-memory outputs). Not a timing test: which kernel.
TEST(Conv2d, UsesAnOptimisedKernel) {
  dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  const Tensor weights({3, 3, 64, 96}), bias({96});
  Conv2d conv(engine, testing::nhwc_desc(1, 64, 35, 35), testing::nhwc_desc(1, 96, 35, 35), weights, bias,
              {.SH = 1, .SW = 1, .PH_L = 1, .PH_R = 1, .PW_L = 1, .PW_R = 1, .relu = true});
  EXPECT_NE(conv.impl().rfind("ref", 0), 0u) << conv.impl();
}

// A 35x35 3x3 conv on 64 channels in the network's blocked layout: Winograd where oneDNN has it
// (AVX-512), direct elsewhere; in nhwc, for which oneDNN 2.6 has no Winograd kernel, direct.
// Either way within the naive loop's tolerance.
std::vector<float> run_reordered(const dnnl::engine& engine, const Conv2d& conv, std::vector<float>& src_nhwc,
                               int IC, int OC, int H, int W) {
  dnnl::stream stream(engine);
  dnnl::memory user_src(testing::nhwc_desc(1, IC, H, W), engine, src_nhwc.data());
  dnnl::memory src(conv.src_desc(), engine), dst(conv.dst_desc(), engine);
  std::vector<float> out(size_t(OC) * H * W);
  dnnl::memory user_dst(testing::nhwc_desc(1, OC, H, W), engine, out.data());
  dnnl::reorder(user_src, src).execute(stream, user_src, src);
  auto args = conv.args(src, dst);
  conv.primitive().execute(stream, args);
  dnnl::reorder(dst, user_dst).execute(stream, dst, user_dst);
  stream.wait();
  return out;
}

TEST(Conv2d, WinogradWhereItPaysMatchesNaiveLoop) {
  const int H = 35, W = 35, OC = 96;
  for (const bool plain : {false, true}) {  // plain: nhwc
    const int IC = 64;
    const auto g = oracle::tf_geometry(1, H, W, IC, 3, 3, 1, true);
    auto src = testing::random_vector(size_t(H) * W * IC, 1);
    const auto weights = testing::random_vector(size_t(9) * IC * OC, 2), bias = testing::random_vector(size_t(OC), 3);
    const auto expected = oracle::conv2d(g, OC, src, weights, bias, true);
    dnnl::engine engine(dnnl::engine::kind::cpu, 0);
    const auto desc = [&](int C) {
      return dnnl::memory::desc({1, C, H, W}, dnnl::memory::data_type::f32, plain ? dnnl::memory::format_tag::nhwc : blocked_activation_tag());
    };
    const Conv2d conv(engine, desc(IC), desc(OC), Tensor({3, 3, IC, OC}, weights), Tensor({OC}, bias),
                      {.SH = 1, .SW = 1, .PH_L = 1, .PH_R = 1, .PW_L = 1, .PW_R = 1, .relu = true});
    const bool winograd = !plain && dnnl::get_effective_cpu_isa() >= dnnl::cpu_isa::avx512_core;
    EXPECT_EQ(conv.algorithm(), winograd ? dnnl::algorithm::convolution_winograd : dnnl::algorithm::convolution_direct)
        << plain << ": " << conv.impl();
    EXPECT_NE(conv.impl().rfind("ref", 0), 0u) << conv.impl();
    long first_bad;
    EXPECT_LE(testing::max_diff(run_reordered(engine, conv, src, IC, OC, H, W), expected, 1e-4f, first_bad), 1e-4f)
        << plain << " first bad index " << first_bad;
    // Asked for by name (a part of a conv computing like the whole), Winograd is that or an error.
    const auto ask = [&] {
      return Conv2d(engine, desc(IC), desc(OC), Tensor({3, 3, IC, OC}, weights), Tensor({OC}, bias),
                    {.SH = 1, .SW = 1, .PH_L = 1, .PH_R = 1, .PW_L = 1, .PW_R = 1, .relu = true}, {},
                    dnnl::algorithm::convolution_winograd);
    };
    if (winograd) EXPECT_EQ(ask().algorithm(), dnnl::algorithm::convolution_winograd);
    else EXPECT_THROW(ask(), dnnl::error);
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, Conv2dTest,
                         ::testing::Values(ConvCase{1, 9, 9, 3, 32, 3, 3, 2, Padding::Valid, true},
                                           ConvCase{2, 8, 7, 13, 24, 3, 3, 2, Padding::Same, true},
                                           ConvCase{1, 9, 11, 16, 19, 1, 7, 1, Padding::Same, true},
                                           ConvCase{1, 10, 6, 5, 8, 7, 1, 1, Padding::Same, false},
                                           ConvCase{3, 5, 5, 127, 3, 1, 1, 1, Padding::Valid, true},
                                           ConvCase{1, 6, 6, 8, 16, 5, 5, 1, Padding::Same, true}));

}  // namespace
}  // namespace blastscan
