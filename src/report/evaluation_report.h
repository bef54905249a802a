// Everything an evaluation report shows, as plain data: what was evaluated, every image's
// prediction, the metrics (all classes, and the ALL / not-ALL view), and optionally the training
// curves of the run that made the model. report_json.h and report_html.h turn it into files.
#pragma once
#include <string>
#include <vector>

#include "predict/predictor.h"
#include "report/metrics.h"
#include "train/epoch_metrics.h"

namespace blastscan {

// One image of an evaluation: true and predicted class (predict/results.h has ImageResult,
// classify's row for a file; the two are different things and have different names).
struct EvaluatedImage {
  std::string path;
  int label = -1;       // true class
  int predicted = -1;
  float confidence = 0.f;
  std::vector<float> probabilities;
  std::string thumbnail_jpeg;  // small JPEG bytes for the gallery; empty when not made
  // The class activation map of the full network's answer drawn over the thumbnail, for the
  // gallery: JPEG bytes (empty when not made), the class it explains, its range in logits.
  std::string cam_jpeg;
  int cam_class = -1;
  float cam_low = 0.f, cam_high = 0.f;
};

struct EvaluationReport {
  std::string model;       // model path as given
  std::string model_sha256;
  std::string data;        // dataset or manifest as given
  std::string split;       // "validation", "train" or "all"
  std::string created;     // ISO 8601 time
  float threshold = kDefaultThreshold;
  std::vector<std::string> classes;
  std::vector<std::string> positive;  // classes that mean ALL (empty: no binary view)
  std::vector<EvaluatedImage> images;
  Metrics metrics;
  Metrics binary;  // ALL vs not ALL; meaningful only when `positive` is a proper, non-empty subset
  std::vector<EpochMetrics> history;  // training curves; empty when the run is unknown

  bool has_binary_view() const { return !positive.empty() && positive.size() < classes.size(); }
};

// The per-image scores of a report's images, and the report's metrics from them.
LabelledScores labelled_scores(const std::vector<EvaluatedImage>& images);
void compute_report_metrics(EvaluationReport& report);

// Wrong answers, most confident first: the ones a reader should look at.
std::vector<const EvaluatedImage*> misclassified(const EvaluationReport& report);

// How many of them report.html shows (report.json lists all).
constexpr size_t kGalleryImages = 60;

}  // namespace blastscan
