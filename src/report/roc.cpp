#include "report/roc.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <numeric>

namespace blastscan {

RocCurve roc_curve(const std::vector<float>& scores, const std::vector<bool>& positive) {
  assert(scores.size() == positive.size());
  const auto P = static_cast<double>(std::count(positive.begin(), positive.end(), true));
  const auto N = static_cast<double>(positive.size()) - P;
  RocCurve roc;
  roc.fpr.push_back(0);
  roc.tpr.push_back(0);
  roc.threshold.push_back(std::numeric_limits<double>::infinity());
  if (P == 0 || N == 0) {
    roc.auc = std::numeric_limits<double>::quiet_NaN();
    return roc;
  }
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  double tp = 0, fp = 0;
  for (size_t i = 0; i < order.size();) {
    const float s = scores[order[i]];
    for (; i < order.size() && scores[order[i]] == s; ++i) (positive[order[i]] ? tp : fp) += 1;
    const double x = fp / N, y = tp / P;
    roc.auc += (x - roc.fpr.back()) * (y + roc.tpr.back()) / 2;
    roc.fpr.push_back(x);
    roc.tpr.push_back(y);
    roc.threshold.push_back(s);
  }
  return roc;
}

}  // namespace blastscan
