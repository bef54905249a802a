#include "report/evaluation_report.h"

#include <algorithm>

namespace blastscan {

LabelledScores labelled_scores(const std::vector<EvaluatedImage>& images) {
  LabelledScores d;
  for (const auto& image : images) {
    d.labels.push_back(image.label);
    d.predicted.push_back(image.predicted);
    d.confidence.push_back(image.confidence);
    d.scores.insert(d.scores.end(), image.probabilities.begin(), image.probabilities.end());
  }
  return d;
}

void compute_report_metrics(EvaluationReport& report) {
  const LabelledScores scores = labelled_scores(report.images);
  report.metrics = compute_metrics(report.classes, scores, report.threshold);
  if (!report.has_binary_view()) return;
  std::vector<bool> is_positive;
  for (const auto& name : report.classes)
    is_positive.push_back(std::find(report.positive.begin(), report.positive.end(), name) != report.positive.end());
  report.binary = compute_metrics(kBinaryClasses, binary_view(scores, is_positive), report.threshold);
}

std::vector<const EvaluatedImage*> misclassified(const EvaluationReport& report) {
  std::vector<const EvaluatedImage*> wrong;
  for (const auto& image : report.images)
    if (image.label != image.predicted) wrong.push_back(&image);
  std::stable_sort(wrong.begin(), wrong.end(),
                   [](const EvaluatedImage* a, const EvaluatedImage* b) { return a->confidence > b->confidence; });
  return wrong;
}

}  // namespace blastscan
