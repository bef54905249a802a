// classify's per-file result (predict/results.h) and evaluate's per-image record
// (report/evaluation_report.h) live in one binary: with one name for both, this file, which
// includes both headers, would not compile (and a binary that defined both in different files
// broke the one-definition rule, which a Debug or LTO build can turn into a crash).
#include <gtest/gtest.h>

#include <type_traits>

#include "predict/results.h"
#include "report/evaluation_report.h"

namespace blastscan {
namespace {

TEST(ResultTypes, ClassifyRowAndEvaluatedImageAreTwoTypes) {
  static_assert(!std::is_same_v<ImageResult, EvaluatedImage>);
  ImageResult row;
  row.path = "a.jpg";
  row.true_class = "ALL";
  EvaluatedImage image;
  image.path = "a.jpg";
  image.label = 1;
  image.predicted = 0;
  EXPECT_FALSE(row.correct().has_value());  // no prediction yet
  EXPECT_NE(image.label, image.predicted);
}

}  // namespace
}  // namespace blastscan
