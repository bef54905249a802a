// Seeded random models are the same everywhere: their weights are Rng's normal draws (not
// std::normal_distribution's, which differ between standard libraries), in conv order.
#include <gtest/gtest.h>

#include <cmath>

#include "base/rng.h"
#include "inception/random_model.h"

namespace blastscan {
namespace {

TEST(RandomModel, WeightsAreRngNormalDrawsInConvOrder) {
  const Model model = make_random_model("Conv2d_2a_3x3", 2, 7);
  const auto& first = model.convs.at("Conv2d_1a_3x3");
  Rng rng(7);
  const float stddev = std::sqrt(2.f / float(3 * 3 * 3));  // He: KH * KW * IC
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(first.weights.data[i], rng.normal(stddev)) << i;
  EXPECT_TRUE(make_random_model("Conv2d_2a_3x3", 2, 7) == model);
  EXPECT_FALSE(make_random_model("Conv2d_2a_3x3", 2, 8) == model);
}

}  // namespace
}  // namespace blastscan
