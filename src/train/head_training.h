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
#include "train/epoch_metrics.h"
#include "train/feature_set.h"
#include "train/head_net.h"

namespace blastscan {

struct TrainingState {
  HeadNet net;
  AdamState adam;
  std::vector<EpochMetrics> history;  // one per epoch done
  std::vector<float> best_params;     // head parameters at the lowest validation loss so far
  int best_epoch = 0;
  // Fine-tuning only (empty otherwise): the trainable blocks' flat parameters in graph order
  // (inception/trainable_stack.h), their Adam moments, and their value at the best epoch.
  std::vector<float> backbone_params, backbone_best_params;
  AdamState backbone_adam;
};

// Where a step's features come from: cached bottleneck rows (head training), or trainable
// blocks over cached activations at a cut (fine-tuning), which also learn from the gradient
// the head hands back. The one interface of training: the loop stays the same for both.
class FeatureSource {
 public:
  virtual ~FeatureSource() = default;
  virtual size_t size() const = 0;  // images
  virtual int views() const = 0;    // per image: 0 clean, 1.. distorted
  virtual int label(size_t image) const = 0;
  // Features [rows.size(), C] of (image, view) rows; training: a backward() follows.
  virtual void features(const std::vector<std::pair<size_t, int>>& rows, bool training, float* out) = 0;
  // d(loss)/d(features) of the last training call; lr_factor is the schedule's decay so far.
  virtual void backward(const float* /*diff_features*/, float /*lr_factor*/) {}
  virtual bool trains_features() const { return false; }
  // Around each training epoch. A source that learns works on its own copy of what it learns,
  // in its own layout, taken from the state here and handed back in the state's (the
  // checkpoint's) form at the end, so nothing is copied per step.
  virtual void begin_epoch(const TrainingState&) {}
  virtual void end_epoch(TrainingState&) {}
};

// A FeatureSet as a source: rows copied out, nothing below the head to train.
class CachedFeatures : public FeatureSource {
 public:
  explicit CachedFeatures(const FeatureSet& set) : set_(set) {}
  size_t size() const override { return set_.size(); }
  int views() const override { return set_.views; }
  int label(size_t image) const override { return set_.labels[image]; }
  void features(const std::vector<std::pair<size_t, int>>& rows, bool, float* out) override;

 private:
  const FeatureSet& set_;
};

struct Evaluation {
  float loss = 0.f;
  float accuracy = 0.f;
  std::vector<float> probabilities;  // [n, K]
};

TrainingState start_training(int C, int K, const TrainConfig& config);

// Runs the head on view 0 of every image, in inference mode.
Evaluation evaluate_head(HeadNet& net, const FeatureSet& set);
Evaluation evaluate_head(HeadNet& net, FeatureSource& source);

// One pass over the training set. on_step(loss) is called after every update.
EpochMetrics train_epoch(TrainingState& state, const FeatureSet& train, const std::vector<float>& class_weights,
                         const TrainConfig& config, const std::function<void(float loss)>& on_step);
EpochMetrics train_epoch(TrainingState& state, FeatureSource& train, const std::vector<float>& class_weights,
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
TrainingState train_head(TrainingState state, FeatureSource& train, FeatureSource& validation,
                         const TrainConfig& config, const TrainCallbacks& callbacks = {});

}  // namespace blastscan
