// Training the head on cached features: the state a checkpoint holds, one epoch of
// shuffled mini-batches (forward -> zero_grad -> backward -> Adam), evaluation on held-out
// features, and the loop over epochs with early stopping. Deterministic given the seed: every
// epoch draws its shuffle, dropout masks and distorted views from Rng(seed, epoch), so a run
// resumed from a checkpoint continues exactly as if it had never stopped.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "train/adam.h"
#include "train/config.h"
#include "train/feature_set.h"
#include "train/head_net.h"

namespace blastscan {

struct EpochMetrics {
  int epoch = 0;              // 1-based
  int64_t step = 0;           // global step after the epoch
  float learning_rate = 0.f;  // at the epoch's last step
  float train_loss = 0.f;     // mean training objective of the epoch's batches (dropout on, L2 in)
  float train_accuracy = 0.f; // of those batches' predictions
  float val_loss = 0.f;       // mean cross-entropy on validation (no dropout, no class weights)
  float val_accuracy = 0.f;
  double seconds = 0.0;
};

struct TrainingState {
  HeadNet net;
  AdamState adam;
  std::vector<EpochMetrics> history;  // one per epoch done
  std::vector<float> best_params;     // head parameters at the lowest validation loss so far
  int best_epoch = 0;
};

struct Evaluation {
  float loss = 0.f;
  float accuracy = 0.f;
  std::vector<float> probabilities;  // [n, K]
};

TrainingState start_training(int C, int K, const TrainConfig& config);

// Runs the head on view 0 of every image, in inference mode.
Evaluation evaluate_head(HeadNet& net, const FeatureSet& set);

// One pass over the training set. on_step(loss) is called after every update.
EpochMetrics train_epoch(TrainingState& state, const FeatureSet& train, const std::vector<float>& class_weights,
                         const TrainConfig& config, const std::function<void(float loss)>& on_step);

// The epochs from state.history.size() + 1 up to config.epochs, or fewer with early stopping.
// on_epoch sees the state after each epoch (to checkpoint and log it). The returned state's net
// holds the final head: the last epoch's, or the best epoch's when early stopping is on.
struct TrainCallbacks {
  std::function<void(float loss)> on_step;
  std::function<void(const TrainingState&, const EpochMetrics&)> on_epoch;
};
TrainingState train_head(TrainingState state, const FeatureSet& train, const FeatureSet& validation,
                         const TrainConfig& config, const TrainCallbacks& callbacks = {});

}  // namespace blastscan
