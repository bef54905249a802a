// Classification metrics a clinician-researcher asks for, from true labels, predictions and
// per-class scores: accuracy with its 95% Wilson interval, the confusion matrix, per class
// precision, recall (sensitivity), specificity, F1 and one-vs-rest ROC AUC, and how many
// answers fall below the LOW-confidence threshold. Undefined ratios (0/0) are NaN, written as
// null in JSON and "n/a" in HTML, never a made-up 0.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "report/roc.h"
#include "report/wilson_interval.h"

namespace blastscan {

struct ClassMetrics {
  std::string name;
  size_t support = 0;  // images whose true class this is
  size_t predicted = 0;
  double precision = 0, recall = 0, specificity = 0, f1 = 0;
  RocCurve roc;        // this class against the rest
};

struct Metrics {
  std::vector<std::string> classes;
  size_t n = 0, correct = 0;
  double accuracy = 0;
  Interval accuracy_ci;
  std::vector<std::vector<size_t>> confusion;  // [true][predicted]
  std::vector<ClassMetrics> per_class;
  double macro_f1 = 0, macro_auc = 0;
  size_t low_confidence = 0, low_correct = 0, low_incorrect = 0;
};

struct LabelledScores {
  std::vector<int> labels;        // true class per image
  std::vector<int> predicted;     // predicted class per image
  std::vector<float> confidence;  // the answer's confidence (compared with the threshold)
  std::vector<float> scores;      // [n, K] per-class scores for the ROC curves
};

Metrics compute_metrics(const std::vector<std::string>& classes, const LabelledScores& data, float threshold);

// The ALL / not-ALL view of a multi-class result: an image is positive when its class is in
// `positive`; the prediction is positive when the top class is (the answer classify and
// serve give); the ROC score is the summed probability of the positive classes.
LabelledScores binary_view(const LabelledScores& data, const std::vector<bool>& class_is_positive);
inline const std::vector<std::string> kBinaryClasses = {"not ALL", "ALL"};

}  // namespace blastscan
