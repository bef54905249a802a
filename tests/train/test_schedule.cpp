// The staircase schedule: constant within a decay period, times 0.8 at each boundary.
#include <gtest/gtest.h>

#include "train/schedule.h"

namespace blastscan {
namespace {

TEST(Schedule, StaircaseDecaysEveryTenEpochs) {
  const LearningRateSchedule s{1e-4f, 0.8f, 10, 184};  // 1,833 training images, batch 10
  EXPECT_FLOAT_EQ(learning_rate_at(s, 0), 1e-4f);
  EXPECT_FLOAT_EQ(learning_rate_at(s, 1839), 1e-4f);
  EXPECT_FLOAT_EQ(learning_rate_at(s, 1840), 0.8e-4f);
  EXPECT_FLOAT_EQ(learning_rate_at(s, 3680), 0.64e-4f);
  EXPECT_FLOAT_EQ(learning_rate_at(s, 64 * 184), 1e-4f * 0.8f * 0.8f * 0.8f * 0.8f * 0.8f * 0.8f);
}

TEST(Schedule, FractionalEpochsPerDecayRoundDownToWholeSteps) {
  const LearningRateSchedule s{1.f, 0.5f, 2.5, 3};  // decay_steps = int(7.5) = 7
  EXPECT_FLOAT_EQ(learning_rate_at(s, 6), 1.f);
  EXPECT_FLOAT_EQ(learning_rate_at(s, 7), 0.5f);
  EXPECT_FLOAT_EQ(learning_rate_at(s, 14), 0.25f);
}

}  // namespace
}  // namespace blastscan
