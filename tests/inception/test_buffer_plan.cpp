// plan_buffers: tensors whose lives overlap never share a buffer, every buffer holds each use
// it is given, and a chain of short lives reuses memory (the whole network's numerics with
// shared buffers are checked against OpenCV in test_opencv_oracle.cpp).
#include <gtest/gtest.h>

#include "inception/buffer_plan.h"

namespace blastscan {
namespace {

bool overlap(const BufferUse& a, const BufferUse& b) { return a.first <= b.last && b.first <= a.last; }

void expect_valid(const std::vector<BufferUse>& uses, const BufferPlan& plan) {
  ASSERT_EQ(plan.buffer_of.size(), uses.size());
  for (size_t i = 0; i < uses.size(); ++i) {
    ASSERT_LT(plan.buffer_of[i], plan.bytes.size());
    EXPECT_GE(plan.bytes[plan.buffer_of[i]], uses[i].bytes) << "use " << i;
    for (size_t j = i + 1; j < uses.size(); ++j) {
      if (overlap(uses[i], uses[j])) {
        EXPECT_NE(plan.buffer_of[i], plan.buffer_of[j]) << "uses " << i << ", " << j;
      }
    }
  }
}

TEST(BufferPlan, AChainOfLayersNeedsTwoBuffers) {
  // Each layer reads the previous one's output in the next stage: lives [t, t+1].
  std::vector<BufferUse> uses;
  for (int t = 0; t < 10; ++t) uses.push_back({size_t(100 + 10 * t), t, t + 1});
  const BufferPlan plan = plan_buffers(uses);
  expect_valid(uses, plan);
  EXPECT_EQ(plan.bytes.size(), 2u);
}

TEST(BufferPlan, ConcurrentBranchesAndTheEndPointNeverShare) {
  // A block's four branches all live in stage 3; the end point lives to the end.
  std::vector<BufferUse> uses{{50, 0, 1}, {60, 1, 3}, {10, 3, 3}, {20, 3, 3}, {30, 3, 3}, {40, 3, 4},
                              {70, 4, kLivesToTheEnd}, {5, kLivesToTheEnd, kLivesToTheEnd}};
  const BufferPlan plan = plan_buffers(uses);
  expect_valid(uses, plan);
  EXPECT_EQ(plan.buffer_of[2], plan.buffer_of[0]);  // the smallest free buffer that fits: stage 0's
}

}  // namespace
}  // namespace blastscan
