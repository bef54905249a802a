// Fine-tuning (`train --fine-tune-from END_POINT`, TF-Slim's --trainable_scopes): the blocks
// above END_POINT learn with the head. BatchNorm stays folded into the convs' biases and
// frozen (TF-Slim's is_training=False fine-tuning); the head keeps its dropout; both use Adam
// on the same staircase schedule, the blocks at their own, smaller base rate. The activations
// at END_POINT are computed once per image view and cached (train/feature_extractor.h), so an
// epoch runs only the top of the network. Blocks the backbone lacks (Mixed_7b/7c above the
// shared Mixed_7a backbone, with --final-endpoint Mixed_7c) start from a seeded He
// initialisation, like TF-Slim's --checkpoint_exclude_scopes.
#pragma once
#include <string>
#include <vector>

#include "inception/trainable_stack.h"
#include "train/config.h"
#include "train/feature_extractor.h"
#include "train/head_training.h"

namespace blastscan {

// `model` extended to final_endpoint: convs it lacks get weights ~ N(0, 2/fan_in), bias 0,
// drawn from Rng(seed, kHeInitStream) in graph order. Returns the scopes initialised.
std::vector<std::string> add_he_initialised_blocks(Model& model, const std::string& final_endpoint, uint64_t seed);

// The backbone up to `cut` (its end point), with only the convs below it: what the cached
// activations at the cut depend on.
Model lower_part(const Model& model, const std::string& cut);

// The block names (TF-Slim scopes, e.g. "Mixed_7a") a stack trains.
std::vector<std::string> trained_blocks(const TrainableStack& stack);

// Features of cached cut activations through the trainable blocks; backward() runs the
// blocks' backward and their Adam step on the stack's own layout. Between epochs the state's
// graph-order form (state.backbone_params, backbone_adam) is the truth: begin_epoch() loads
// it into the stack, end_epoch() writes it back.
class BlockFeatures : public FeatureSource {
 public:
  BlockFeatures(TrainableStack& stack, const CutActivations& activations, std::vector<int> labels,
                const TrainConfig& config);
  size_t size() const override { return labels_.size(); }
  int views() const override { return activations_.views(); }
  int label(size_t image) const override { return labels_[image]; }
  void features(const std::vector<std::pair<size_t, int>>& rows, bool training, float* out) override;
  void backward(const float* diff_features, float lr_factor) override;
  bool trains_features() const override { return true; }
  void begin_epoch(const TrainingState& state) override;
  void end_epoch(TrainingState& state) override;

 private:
  TrainableStack& stack_;
  const CutActivations& activations_;
  std::vector<int> labels_;
  float backbone_learning_rate_;
  int head_warmup_epochs_;
  bool blocks_learn_ = true;  // this epoch (false during the head's warm-up)
  AdamState adam_;            // the blocks' moments in the stack's layout, during an epoch
  std::vector<float> input_;  // [batch, H, W, C]
};

}  // namespace blastscan
