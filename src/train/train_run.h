// `blastscan train` as a library call: dataset -> split -> cached bottleneck features ->
// head training with a checkpoint, TensorBoard scalars and metrics.csv after every epoch ->
// the frozen model (backbone + trained head + classes + which classes mean ALL) and its model
// card in RUN_DIR. Printing is left to the caller (on_epoch); charts to report/.
//
// RUN_DIR after a run:
//   model.pb, labels.txt       the frozen model (formats/graphdef.h) and its classes
//   model_card.json            backbone, end point, data fingerprint, config, metrics, date
//   manifest.{json,csv}        the exact split used (`evaluate --data RUN_DIR` reads it)
//   metrics.csv                one row per epoch
//   events.out.tfevents.*      TensorBoard scalars per epoch
//   checkpoint.bin             for --resume
#pragma once
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "inception/model.h"
#include "train/config.h"
#include "train/feature_extractor.h"
#include "train/head_training.h"

namespace blastscan {

struct TrainRequest {
  std::filesystem::path backbone;  // frozen .pb whose convs are the backbone (a head in it is ignored)
  std::filesystem::path data;      // dataset folder, manifest file, or folder with manifest.json
  std::filesystem::path out;       // RUN_DIR
  TrainConfig config;
  std::vector<std::string> positive;  // classes meaning ALL; empty: default_positive_classes
  bool resume = false;
  std::filesystem::path cache_dir;    // empty: default_cache_dir()
  int threads = 0;
  Precision precision = Precision::f32;  // of the backbone pass that fills the feature cache
};

struct TrainRun {
  Model model;                       // backbone + trained head
  std::filesystem::path model_path;  // RUN_DIR/model.pb
  Dataset dataset;                   // with the split used
  TrainingState state;
  Evaluation validation;             // the final head on the validation features
  std::vector<int> validation_labels;
  ExtractStats train_features, validation_features;  // of the activations at the cut when fine-tuning
  std::vector<std::string> trained_scopes;      // blocks trained besides the head (fine-tuning)
  std::vector<std::string> initialised_scopes;  // convs that started from He weights (--final-endpoint)
  double head_seconds = 0, total_seconds = 0;
};

struct TrainProgress {
  std::function<void(const std::string&)> on_note;  // one-line notices (split, cache, resume)
  std::function<void(const EpochMetrics&)> on_epoch;
  ProgressFn on_progress;  // images checked, features computed, head steps
};

TrainRun run_training(const TrainRequest& request, const TrainProgress& progress = {});

// The backbone a run computes features with: the file's convs up to config.endpoint, no head,
// the run's preprocessing, He-initialised blocks up to config.final_endpoint (their scopes
// go to initialised_scopes). Every process that shares a run's cache builds it the same way.
Model training_backbone(const TrainRequest& request, std::vector<std::string>* initialised_scopes = nullptr);

// The split a train run uses: a manifest's own split, or for a folder: images checked and
// hashed, duplicates dropped, grouped (config.group_by) and split (config.validation, seed).
Dataset load_training_split(const std::filesystem::path& data, const TrainConfig& config, int threads,
                            const TrainProgress& progress = {});

}  // namespace blastscan
