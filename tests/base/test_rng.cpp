// Seeded draws are the same on every platform and compiler (base/rng.h): the engines against
// the values the C++ standard requires of them, and every draw against golden values. A change
// of a draw changes every seeded split, shuffle, distortion and random model, so it must show.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "base/rng.h"

namespace blastscan {
namespace {

// [rand.predef]: the 10000th output of a default-constructed engine.
TEST(Rng, TheEnginesAreTheStandardOnes) {
  std::mt19937_64 e64;
  std::mt19937 e32;
  for (int i = 1; i < 10000; ++i) e64(), e32();
  EXPECT_EQ(e64(), 9981545732273789042ull);
  EXPECT_EQ(e32(), 4123659995u);
}

TEST(Rng, DrawsMatchTheirGoldenValues) {
  Rng r(50, 0);
  EXPECT_EQ(r.uniform(), 0.751955628f);
  EXPECT_EQ(r.uniform(), 0.721899629f);
  EXPECT_EQ(r.uniform(), 0.025277257f);
  EXPECT_EQ(r.uniform_index(1000), 15u);
  EXPECT_EQ(r.uniform_index(1000), 553u);
  EXPECT_EQ(r.uniform_index(7), 6u);
  // Box-Muller goes through log and cos, whose last bit may differ between C libraries.
  EXPECT_NEAR(r.normal(), 0.461281657, 1e-6);
  EXPECT_NEAR(r.normal(), -0.52613616, 1e-6);
  EXPECT_NEAR(r.normal(), -2.22405267, 1e-6);
  std::vector<int> order{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  Rng(50, 3).shuffle(order);
  EXPECT_EQ(order, (std::vector<int>{7, 5, 4, 0, 8, 9, 1, 6, 2, 3}));
}

TEST(Rng, StreamsOfOneSeedDiffer) {
  Rng a(50, 1), b(50, 2), c(50, 1);
  const float x = a.uniform();
  EXPECT_NE(x, b.uniform());
  EXPECT_EQ(x, c.uniform());
}

// The data side's draws on std::mt19937 (split, TFRecord order, distortions, augmentation).
TEST(Rng, DataSideDrawsMatchTheirGoldenValues) {
  std::mt19937 engine(50);
  EXPECT_DOUBLE_EQ(uniform(engine, 0, 1), 0.49460164553802144);
  EXPECT_DOUBLE_EQ(uniform(engine, -2, 3), -0.85958447775331903);
  EXPECT_EQ(uniform_int(engine, 10), 2);
  EXPECT_EQ(uniform_int(engine, 1000), 396);
  std::vector<int> order{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  std::mt19937 shuffler(50);
  shuffle(order, shuffler);
  EXPECT_EQ(order, (std::vector<int>{6, 2, 1, 9, 8, 5, 7, 3, 0, 4}));
}

}  // namespace
}  // namespace blastscan
