// Metrics against independent oracles: Wilson intervals published by Newcombe (1998, Table I),
// an AUC counted pair by pair by hand, and a confusion matrix worked out on paper.
#include <gtest/gtest.h>

#include <cmath>

#include "report/metrics.h"

namespace blastscan {
namespace {

TEST(Wilson, MatchesPublishedIntervals) {
  struct Case { size_t x, n; double low, high; };
  for (const Case& c : {Case{81, 263, 0.2553, 0.3662}, Case{15, 148, 0.0624, 0.1605}, Case{0, 20, 0.0, 0.1611},
                        Case{1, 29, 0.0061, 0.1718}, Case{8, 10, 0.4902, 0.9433}, Case{10, 10, 0.7225, 1.0}}) {
    const Interval ci = wilson_interval(c.x, c.n);
    EXPECT_NEAR(ci.low, c.low, 5e-5) << c.x << "/" << c.n;
    EXPECT_NEAR(ci.high, c.high, 5e-5) << c.x << "/" << c.n;
  }
  const Interval none = wilson_interval(0, 0);
  EXPECT_EQ(none.low, 0.0);
  EXPECT_EQ(none.high, 1.0);
}

TEST(Roc, AucEqualsHandCountedPairs) {
  // Positives 0.9 0.8 0.4 0.35, negatives 0.7 0.4 0.3 0.1 0.05. Pairs won: 5 + 5 + 3.5 (a tie
  // with 0.4 counts half) + 3 = 16.5 of 20.
  const std::vector<float> scores{0.9f, 0.7f, 0.8f, 0.4f, 0.4f, 0.3f, 0.35f, 0.1f, 0.05f};
  const std::vector<bool> positive{true, false, true, true, false, false, true, false, false};
  const RocCurve roc = roc_curve(scores, positive);
  EXPECT_NEAR(roc.auc, 16.5 / 20, 1e-12);
  EXPECT_EQ(roc.fpr.front(), 0.0);
  EXPECT_EQ(roc.tpr.back(), 1.0);
  EXPECT_EQ(roc.fpr.back(), 1.0);
  EXPECT_EQ(roc.fpr.size(), 9u);  // the start plus 8 distinct scores
}

TEST(Roc, PerfectAndUndefined) {
  EXPECT_EQ(roc_curve({0.9f, 0.8f, 0.1f}, {true, true, false}).auc, 1.0);
  EXPECT_EQ(roc_curve({0.1f, 0.8f, 0.9f}, {true, true, false}).auc, 0.0);
  EXPECT_TRUE(std::isnan(roc_curve({0.1f, 0.8f}, {true, true}).auc));
}

LabelledScores paper_example() {
  // labels    0 0 0 1 1 2 2 2 2
  // predicted 0 0 1 1 2 2 2 2 0   -> confusion rows [2 1 0] [0 1 1] [1 0 3]
  LabelledScores d;
  d.labels = {0, 0, 0, 1, 1, 2, 2, 2, 2};
  d.predicted = {0, 0, 1, 1, 2, 2, 2, 2, 0};
  d.confidence = {0.9f, 0.8f, 0.5f, 0.99f, 0.6f, 0.85f, 0.95f, 0.79f, 0.7f};
  for (size_t i = 0; i < d.labels.size(); ++i)
    for (int k = 0; k < 3; ++k)
      d.scores.push_back(k == d.predicted[i] ? d.confidence[i] : (1 - d.confidence[i]) / 2);
  return d;
}

TEST(Metrics, ConfusionAndPerClassAsWorkedOnPaper) {
  const Metrics m = compute_metrics({"a", "b", "c"}, paper_example(), 0.8f);
  EXPECT_EQ(m.confusion, (std::vector<std::vector<size_t>>{{2, 1, 0}, {0, 1, 1}, {1, 0, 3}}));
  EXPECT_EQ(m.correct, 6u);
  EXPECT_NEAR(m.accuracy, 6.0 / 9, 1e-12);
  // class a: TP 2 FP 1 FN 1 TN 5; class b: TP 1 FP 1 FN 1 TN 6; class c: TP 3 FP 1 FN 1 TN 4
  EXPECT_NEAR(m.per_class[0].precision, 2.0 / 3, 1e-12);
  EXPECT_NEAR(m.per_class[0].recall, 2.0 / 3, 1e-12);
  EXPECT_NEAR(m.per_class[0].specificity, 5.0 / 6, 1e-12);
  EXPECT_NEAR(m.per_class[1].specificity, 6.0 / 7, 1e-12);
  EXPECT_NEAR(m.per_class[1].f1, 0.5, 1e-12);
  EXPECT_NEAR(m.per_class[2].precision, 0.75, 1e-12);
  EXPECT_NEAR(m.per_class[2].specificity, 0.8, 1e-12);
  EXPECT_NEAR(m.macro_f1, (2.0 / 3 + 0.5 + 0.75) / 3, 1e-12);
  EXPECT_EQ(m.per_class[2].support, 4u);
  EXPECT_EQ(m.per_class[2].predicted, 4u);
}

TEST(Metrics, LowConfidenceCountsBelowTheThresholdOnly) {
  const Metrics m = compute_metrics({"a", "b", "c"}, paper_example(), 0.8f);
  // below 0.8: 0.5 (wrong), 0.6 (wrong), 0.79 (right), 0.7 (wrong); 0.8 itself is not LOW.
  EXPECT_EQ(m.low_confidence, 4u);
  EXPECT_EQ(m.low_correct, 1u);
  EXPECT_EQ(m.low_incorrect, 3u);
}

TEST(Metrics, UndefinedRatiosAreNaNNotZero) {
  LabelledScores d;  // class b never occurs and is never predicted
  d.labels = {0, 2};
  d.predicted = {0, 2};
  d.confidence = {0.9f, 0.9f};
  d.scores = {0.9f, 0.05f, 0.05f, 0.05f, 0.05f, 0.9f};
  const Metrics m = compute_metrics({"a", "b", "c"}, d, 0.8f);
  EXPECT_TRUE(std::isnan(m.per_class[1].precision));
  EXPECT_TRUE(std::isnan(m.per_class[1].recall));
  EXPECT_TRUE(std::isnan(m.per_class[1].roc.auc));
  EXPECT_EQ(m.macro_f1, 1.0);
}

TEST(Metrics, BinaryViewUsesTheTopClassAndSumsPositiveScores) {
  LabelledScores d;  // classes Benign, Early, Pre; Early and Pre mean ALL
  d.labels = {0, 1, 2};
  d.predicted = {0, 0, 2};
  d.confidence = {0.9f, 0.4f, 0.7f};
  d.scores = {0.9f, 0.05f, 0.05f, /* top is Benign, yet Early+Pre = 0.6 */ 0.4f, 0.3f, 0.3f, 0.1f, 0.2f, 0.7f};
  const LabelledScores b = binary_view(d, {false, true, true});
  EXPECT_EQ(b.labels, (std::vector<int>{0, 1, 1}));
  EXPECT_EQ(b.predicted, (std::vector<int>{0, 0, 1}));
  EXPECT_NEAR(b.scores[3], 0.6f, 1e-6);
  const Metrics m = compute_metrics(kBinaryClasses, b, 0.8f);
  EXPECT_NEAR(m.per_class[1].recall, 0.5, 1e-12);  // sensitivity
  EXPECT_NEAR(m.per_class[1].specificity, 1.0, 1e-12);
  EXPECT_EQ(m.per_class[1].roc.auc, 1.0);  // 0.6 and 0.9 both above 0.1
}

}  // namespace
}  // namespace blastscan
