#include "train/head_training.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "train/class_weights.h"
#include "base/rng.h"
#include "train/schedule.h"

namespace blastscan {

namespace {

int64_t steps_per_epoch(size_t n, int batch) { return static_cast<int64_t>((n + size_t(batch) - 1) / size_t(batch)); }

int argmax(const float* p, int K) { return static_cast<int>(std::max_element(p, p + K) - p); }

}  // namespace

TrainingState start_training(int C, int K, const TrainConfig& config) {
  Rng rng(config.seed, 0);  // stream 0 initialises; epoch e uses stream e
  TrainingState state;
  state.net = make_head_net(C, K, config.batch_size, config.dropout_keep, config.weight_decay, rng);
  state.adam = make_adam_state(state.net.params.size());
  state.best_params = state.net.params;
  return state;
}

void CachedFeatures::features(const std::vector<std::pair<size_t, int>>& rows, bool, float* out) {
  for (size_t n = 0; n < rows.size(); ++n)
    std::copy_n(set_.row(rows[n].first, rows[n].second), set_.C, out + ptrdiff_t(n) * set_.C);
}

Evaluation evaluate_head(HeadNet& net, const FeatureSet& set) {
  CachedFeatures source(set);
  return evaluate_head(net, source);
}

Evaluation evaluate_head(HeadNet& net, FeatureSource& set) {
  Evaluation eval;
  const int K = net.K;
  eval.probabilities.resize(set.size() * size_t(K));
  std::vector<float> rows(size_t(net.max_batch) * size_t(net.C));
  std::vector<std::pair<size_t, int>> refs;
  double loss = 0;
  size_t correct = 0;
  for (size_t start = 0; start < set.size(); start += size_t(net.max_batch)) {
    const int B = static_cast<int>(std::min(set.size() - start, size_t(net.max_batch)));
    refs.clear();
    for (int n = 0; n < B; ++n) refs.emplace_back(start + size_t(n), 0);
    set.features(refs, false, rows.data());
    head_forward(net, rows.data(), nullptr, nullptr, B, false, nullptr);
    for (int n = 0; n < B; ++n) {
      const float* p = net.probs.data() + n * K;
      const int label = set.label(start + size_t(n));
      loss -= std::log(std::max(p[label], 1e-30f));
      correct += argmax(p, K) == label;
      std::copy_n(p, K, eval.probabilities.begin() + ptrdiff_t((start + size_t(n)) * size_t(K)));
    }
  }
  if (!set.size()) return eval;
  eval.loss = static_cast<float>(loss / double(set.size()));
  eval.accuracy = static_cast<float>(double(correct) / double(set.size()));
  return eval;
}

EpochMetrics train_epoch(TrainingState& state, const FeatureSet& train, const std::vector<float>& class_weights,
                         const TrainConfig& config, const std::function<void(float)>& on_step) {
  CachedFeatures source(train);
  return train_epoch(state, source, class_weights, config, on_step);
}

EpochMetrics train_epoch(TrainingState& state, FeatureSource& train, const std::vector<float>& class_weights,
                         const TrainConfig& config, const std::function<void(float)>& on_step) {
  const auto start_time = std::chrono::steady_clock::now();
  HeadNet& net = state.net;
  EpochMetrics m;
  m.epoch = static_cast<int>(state.history.size()) + 1;
  Rng rng(config.seed, static_cast<uint64_t>(m.epoch));

  std::vector<int> order(train.size());
  std::iota(order.begin(), order.end(), 0);
  rng.shuffle(order);

  const LearningRateSchedule schedule{float(config.learning_rate), float(config.decay_rate), config.epochs_per_decay,
                                      steps_per_epoch(train.size(), config.batch_size)};
  std::vector<float> rows(size_t(config.batch_size) * size_t(net.C));
  std::vector<int> labels(size_t(config.batch_size));
  std::vector<float> weights(size_t(config.batch_size));
  std::vector<std::pair<size_t, int>> refs;
  std::vector<float> diff_features(train.trains_features() ? rows.size() : 0);
  train.begin_epoch(state);
  double loss_sum = 0;
  size_t correct = 0, batches = 0;
  for (size_t first = 0; first < order.size(); first += size_t(config.batch_size)) {
    const int B = static_cast<int>(std::min(order.size() - first, size_t(config.batch_size)));
    refs.clear();
    for (int n = 0; n < B; ++n) {
      const auto image = static_cast<size_t>(order[first + size_t(n)]);
      // With distortions, every step sees one of the image's distorted views, never the clean one.
      const int view = train.views() > 1 ? 1 + static_cast<int>(rng.uniform_index(size_t(train.views() - 1))) : 0;
      refs.emplace_back(image, view);
      labels[size_t(n)] = train.label(image);
      weights[size_t(n)] = class_weights[size_t(labels[size_t(n)])];
    }
    train.features(refs, true, rows.data());
    const float lr = learning_rate_at(schedule, state.adam.t);
    const float loss = head_forward(net, rows.data(), labels.data(), weights.data(), B, true, &rng);
    head_zero_grad(net);
    if (train.trains_features()) {
      std::fill(diff_features.begin(), diff_features.end(), 0.f);
      head_backward(net, labels.data(), weights.data(), diff_features.data());
      train.backward(diff_features.data(), lr / config.learning_rate);
    } else {
      head_backward(net, labels.data(), weights.data());
    }
    adam_update(net.params, net.grads, state.adam, lr);

    for (int n = 0; n < B; ++n) correct += argmax(net.probs.data() + n * net.K, net.K) == labels[size_t(n)];
    loss_sum += loss;
    ++batches;
    m.learning_rate = lr;
    if (on_step) on_step(loss);
  }
  train.end_epoch(state);
  m.step = state.adam.t;
  m.train_loss = static_cast<float>(loss_sum / double(std::max<size_t>(batches, 1)));
  m.train_accuracy = static_cast<float>(double(correct) / double(std::max<size_t>(train.size(), 1)));
  m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_time).count();
  return m;
}

TrainingState train_head(TrainingState state, const FeatureSet& train, const FeatureSet& validation,
                         const TrainConfig& config, const TrainCallbacks& callbacks) {
  CachedFeatures train_source(train), validation_source(validation);
  return train_head(std::move(state), train_source, validation_source, config, callbacks);
}

TrainingState train_head(TrainingState state, FeatureSource& train, FeatureSource& validation,
                         const TrainConfig& config, const TrainCallbacks& callbacks) {
  std::vector<int> train_labels(train.size());
  for (size_t i = 0; i < train.size(); ++i) train_labels[i] = train.label(i);
  const std::vector<float> class_weights = make_class_weights(config.class_weights, train_labels, state.net.K);
  for (int epoch = static_cast<int>(state.history.size()) + 1; epoch <= config.epochs; ++epoch) {
    EpochMetrics m = train_epoch(state, train, class_weights, config, callbacks.on_step);
    const Evaluation val = evaluate_head(state.net, validation);
    m.val_loss = val.loss;
    m.val_accuracy = val.accuracy;
    state.history.push_back(m);
    if (state.best_epoch == 0 || m.val_loss < state.history[size_t(state.best_epoch - 1)].val_loss) {
      state.best_epoch = m.epoch;
      state.best_params = state.net.params;
      state.backbone_best_params = state.backbone_params;
    }
    if (callbacks.on_epoch) callbacks.on_epoch(state, m);
    if (config.early_stopping > 0 && m.epoch - state.best_epoch >= config.early_stopping) break;
  }
  if (config.early_stopping > 0) {
    state.net.params = state.best_params;
    state.backbone_params = state.backbone_best_params;
  }
  return state;
}

}  // namespace blastscan
