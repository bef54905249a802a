// ROC curve and its area for one class against the rest, from per-image scores. Tied scores
// form one step of the curve (a diagonal segment), so the trapezoid area equals the
// Mann-Whitney probability that a random positive scores above a random negative, ties
// counting one half.
#pragma once
#include <vector>

namespace blastscan {

struct RocCurve {
  std::vector<double> fpr;        // starts at 0, ends at 1
  std::vector<double> tpr;
  std::vector<double> threshold;  // score at or above which an image is called positive
  double auc = 0.0;               // NaN when there are no positives or no negatives
};

RocCurve roc_curve(const std::vector<float>& scores, const std::vector<bool>& positive);

}  // namespace blastscan
