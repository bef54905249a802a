// `blastscan evaluate` as a library call: a trained model on a labelled image set -> an
// EvaluationReport. Features come through the bottleneck cache (images a train run has seen
// cost no network pass), the head scores them (predict/head_scoring.h), and the metrics,
// thumbnails of the misclassified images and, if the training run is known, its curves are
// gathered. The compute is below report/: this file only puts the parts together.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "inception/model.h"
#include "report/evaluation_report.h"
#include "train/feature_extractor.h"

namespace blastscan {

struct EvaluateRequest {
  std::filesystem::path model_path;
  std::string data_name;  // as given by the user, for the report
  std::string split;      // the split `images` came from, for the report
  float threshold = kDefaultThreshold;
  std::vector<std::string> positive;  // empty: the model's own
  std::filesystem::path run_dir;      // holds model_card.json with the training history; may be empty
  ExtractOptions extract;
};

// images: labelled with the model's classes (same names, same order). Throws InputError when
// the model has no head or the classes differ.
EvaluationReport evaluate_model(const Model& model, const Dataset& images, const EvaluateRequest& request,
                                ExtractStats* stats = nullptr);

// The training history stored in RUN_DIR/model_card.json; empty when there is none.
std::vector<EpochMetrics> load_training_history(const std::filesystem::path& run_dir);

}  // namespace blastscan
