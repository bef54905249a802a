#include "train/fine_tuning.h"

#include <cmath>
#include <set>

#include "base/rng.h"
#include "train/adam.h"

namespace blastscan {

namespace {

constexpr uint64_t kHeInitStream = 0x4865;  // "He": the initialiser's own stream of the seed

}  // namespace

std::vector<std::string> add_he_initialised_blocks(Model& model, const std::string& final_endpoint, uint64_t seed) {
  Rng rng(seed, kHeInitStream);
  std::vector<std::string> added;
  const auto layers = inception_v3_layers(final_endpoint);  // conv_shapes points into it
  for (const ConvShape& c : conv_shapes(layers)) {
    if (model.convs.count(c.layer->name)) continue;
    const float stddev = std::sqrt(2.f / float(c.KH * c.KW * c.IC));
    Tensor weights({c.KH, c.KW, c.IC, c.OC});
    for (auto& w : weights.data) w = stddev * rng.normal();
    model.convs[c.layer->name] = {std::move(weights), Tensor({c.OC})};
    added.push_back(c.layer->name);
  }
  model.endpoint = final_endpoint;
  return added;
}

Model lower_part(const Model& model, const std::string& cut) {
  Model lower;
  lower.endpoint = cut;
  lower.preprocessing = model.preprocessing;
  for (const Layer& layer : inception_v3_layers(cut))
    if (layer.kind == LayerKind::Conv) lower.convs[layer.name] = model.convs.at(layer.name);
  return lower;
}

std::vector<std::string> trained_blocks(const TrainableStack& stack) {
  std::vector<std::string> blocks;
  for (const auto& slot : stack.conv_slots()) {
    const std::string block = slot.name.substr(0, slot.name.find('/'));
    if (blocks.empty() || blocks.back() != block) blocks.push_back(block);
  }
  return blocks;
}

BlockFeatures::BlockFeatures(TrainableStack& stack, const CutActivations& activations, std::vector<int> labels,
                             const TrainConfig& config)
    : stack_(stack), activations_(activations), labels_(std::move(labels)),
      backbone_learning_rate_(float(config.backbone_learning_rate)), head_warmup_epochs_(config.head_warmup_epochs) {
  const LayerShape s = activations.shape();
  input_.resize(size_t(stack.batch()) * s.H * s.W * s.C);
}

void BlockFeatures::features(const std::vector<std::pair<size_t, int>>& rows, bool, float* out) {
  const LayerShape s = activations_.shape();
  const size_t row = size_t(s.H) * s.W * s.C;
  for (size_t n = 0; n < rows.size(); ++n) activations_.load(rows[n].first, rows[n].second, input_.data() + n * row);
  stack_.forward(input_.data(), int(rows.size()), out);
}

void BlockFeatures::backward(const float* diff_features, float lr_factor) {
  if (!blocks_learn_) return;
  stack_.backward(diff_features);
  adam_update(stack_.parameters(), stack_.gradients(), adam_, backbone_learning_rate_ * lr_factor);
  stack_.parameters_changed();
}

void BlockFeatures::begin_epoch(const TrainingState& state) {
  blocks_learn_ = int(state.history.size()) >= head_warmup_epochs_;
  stack_.load_graph_order(state.backbone_params);
  adam_ = {stack_.from_graph_order(state.backbone_adam.m), stack_.from_graph_order(state.backbone_adam.v),
           state.backbone_adam.t};
}

void BlockFeatures::end_epoch(TrainingState& state) {
  state.backbone_params = stack_.to_graph_order(stack_.parameters());
  state.backbone_adam = {stack_.to_graph_order(adam_.m), stack_.to_graph_order(adam_.v), adam_.t};
}

}  // namespace blastscan
