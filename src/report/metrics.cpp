#include "report/metrics.h"

#include <cassert>
#include <cmath>
#include <limits>

namespace blastscan {

namespace {

double ratio(double num, double den) { return den > 0 ? num / den : std::numeric_limits<double>::quiet_NaN(); }

}  // namespace

Metrics compute_metrics(const std::vector<std::string>& classes, const LabelledScores& data, float threshold) {
  const size_t K = classes.size(), n = data.labels.size();
  assert(data.predicted.size() == n && data.confidence.size() == n && data.scores.size() == n * K);
  Metrics m;
  m.classes = classes;
  m.n = n;
  m.confusion.assign(K, std::vector<size_t>(K, 0));
  for (size_t i = 0; i < n; ++i) {
    const bool correct = data.labels[i] == data.predicted[i];
    m.correct += correct;
    ++m.confusion[size_t(data.labels[i])][size_t(data.predicted[i])];
    if (data.confidence[i] < threshold) {  // equal to the threshold is not LOW, as in the seed
      ++m.low_confidence;
      ++(correct ? m.low_correct : m.low_incorrect);
    }
  }
  m.accuracy = ratio(double(m.correct), double(n));
  m.accuracy_ci = wilson_interval(m.correct, n);

  size_t f1_classes = 0, auc_classes = 0;
  for (size_t k = 0; k < K; ++k) {
    ClassMetrics c;
    c.name = classes[k];
    double tp = double(m.confusion[k][k]), row = 0, col = 0;
    for (size_t j = 0; j < K; ++j) {
      row += double(m.confusion[k][j]);
      col += double(m.confusion[j][k]);
    }
    const double fp = col - tp, fn = row - tp, tn = double(n) - tp - fp - fn;
    c.support = size_t(row);
    c.predicted = size_t(col);
    c.precision = ratio(tp, tp + fp);
    c.recall = ratio(tp, tp + fn);
    c.specificity = ratio(tn, tn + fp);
    c.f1 = ratio(2 * tp, 2 * tp + fp + fn);
    std::vector<float> scores(n);
    std::vector<bool> positive(n);
    for (size_t i = 0; i < n; ++i) {
      scores[i] = data.scores[i * K + k];
      positive[i] = size_t(data.labels[i]) == k;
    }
    c.roc = roc_curve(scores, positive);
    if (!std::isnan(c.f1)) {
      m.macro_f1 += c.f1;
      ++f1_classes;
    }
    if (!std::isnan(c.roc.auc)) {
      m.macro_auc += c.roc.auc;
      ++auc_classes;
    }
    m.per_class.push_back(std::move(c));
  }
  m.macro_f1 = ratio(m.macro_f1, double(f1_classes));  // over the classes where F1 is defined
  m.macro_auc = ratio(m.macro_auc, double(auc_classes));
  return m;
}

LabelledScores binary_view(const LabelledScores& data, const std::vector<bool>& class_is_positive) {
  const size_t K = class_is_positive.size(), n = data.labels.size();
  LabelledScores b;
  b.confidence = data.confidence;
  for (size_t i = 0; i < n; ++i) {
    b.labels.push_back(class_is_positive[size_t(data.labels[i])] ? 1 : 0);
    b.predicted.push_back(class_is_positive[size_t(data.predicted[i])] ? 1 : 0);
    float positive_score = 0;
    for (size_t k = 0; k < K; ++k)
      if (class_is_positive[k]) positive_score += data.scores[i * K + k];
    b.scores.push_back(1.f - positive_score);
    b.scores.push_back(positive_score);
  }
  return b;
}

}  // namespace blastscan
