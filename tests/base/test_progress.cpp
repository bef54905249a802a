// The library's progress reporting: a counter reports its start, every step and one end (also
// when it is destroyed early, as by an exception), and with no callback it is silent.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "base/progress.h"

namespace blastscan {
namespace {

struct Seen {
  std::string task, unit, detail;
  size_t done, total;
  bool finished;
};

ProgressFn recorder(std::vector<Seen>& seen) {
  return [&seen](const ProgressUpdate& u) {
    seen.push_back({std::string(u.task), std::string(u.unit), std::string(u.detail), u.done, u.total, u.finished});
  };
}

TEST(ProgressCounter, ReportsStartEachStepAndOneEnd) {
  std::vector<Seen> seen;
  {
    ProgressCounter counter(recorder(seen), "training head", 3, "step");
    counter.advance();
    counter.advance(2, "loss 0.5");
    counter.finish();
    counter.finish();  // a second finish adds nothing, nor does the destructor
  }
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0].done, 0u);
  EXPECT_EQ(seen[1].done, 1u);
  EXPECT_EQ(seen[2].done, 3u);
  EXPECT_EQ(seen[2].detail, "loss 0.5");
  EXPECT_TRUE(seen[3].finished);
  EXPECT_EQ(seen[3].detail, "loss 0.5");  // the detail stays until replaced
  for (const auto& s : seen) {
    EXPECT_EQ(s.task, "training head");
    EXPECT_EQ(s.unit, "step");
    EXPECT_EQ(s.total, 3u);
  }
  for (size_t i = 0; i + 1 < seen.size(); ++i) EXPECT_FALSE(seen[i].finished);
}

TEST(ProgressCounter, EndsWhenUnwoundByAnException) {
  std::vector<Seen> seen;
  try {
    ProgressCounter counter(recorder(seen), "classify", 10);
    counter.advance();
    throw std::runtime_error("image 2 failed");
  } catch (const std::runtime_error&) {
  }
  ASSERT_FALSE(seen.empty());
  EXPECT_TRUE(seen.back().finished);
  EXPECT_EQ(seen.back().done, 1u);
}

TEST(ProgressCounter, WithoutACallbackWritesNothing) {
  ::testing::internal::CaptureStderr();
  ::testing::internal::CaptureStdout();
  {
    ProgressCounter counter({}, "quiet", 2);
    counter.advance(2);
  }
  EXPECT_EQ(::testing::internal::GetCapturedStdout(), "");
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

}  // namespace
}  // namespace blastscan
