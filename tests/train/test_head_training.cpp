// Head training on synthetic features with a known answer (separable Gaussian clusters):
// the loss falls and accuracy beats chance, runs repeat exactly given the seed, a resumed run
// equals an uninterrupted one, early stopping keeps the best epoch, distorted views are used.
#include <gtest/gtest.h>

#include "train/checkpoint.h"
#include "train/class_weights.h"
#include "train/head_training.h"
#include "base/rng.h"
#include "common/paths.h"

namespace blastscan {
namespace {

// K clusters in C dimensions, centres 1.5 apart per axis, unit noise: separable but not trivially.
FeatureSet make_clusters(int n, int C, int K, int views, uint64_t seed) {
  FeatureSet set;
  set.C = C;
  set.views = views;
  Rng rng(seed);
  for (int i = 0; i < n; ++i) {
    const int y = i % K;
    set.labels.push_back(y);
    for (int v = 0; v < views; ++v)
      for (int c = 0; c < C; ++c) set.features.push_back((c % K == y ? 1.5f : 0.f) + rng.normal());
  }
  return set;
}

TrainConfig fast_config() {
  TrainConfig config;
  config.learning_rate = 0.01f;
  config.epochs = 6;
  return config;
}

TEST(HeadTraining, LossFallsAndAccuracyBeatsChance) {
  const FeatureSet train = make_clusters(90, 16, 3, 1, 1), val = make_clusters(60, 16, 3, 1, 2);
  const TrainConfig config = fast_config();
  const TrainingState state = train_head(start_training(16, 3, config), train, val, config);
  ASSERT_EQ(state.history.size(), 6u);
  EXPECT_LT(state.history.back().train_loss, 0.7f * state.history.front().train_loss);
  EXPECT_LT(state.history.back().val_loss, state.history.front().val_loss);
  EXPECT_GT(state.history.back().val_accuracy, 0.8f);  // chance is 1/3
  EXPECT_EQ(state.history.back().step, 6 * 9);         // 90 images / batch 10, 6 epochs
}

TEST(HeadTraining, SameSeedSameRunOtherSeedOtherRun) {
  const FeatureSet train = make_clusters(50, 8, 2, 1, 1), val = make_clusters(20, 8, 2, 1, 2);
  TrainConfig config = fast_config();
  const auto a = train_head(start_training(8, 2, config), train, val, config);
  const auto b = train_head(start_training(8, 2, config), train, val, config);
  EXPECT_EQ(a.net.params, b.net.params);
  config.seed = 51;
  const auto c = train_head(start_training(8, 2, config), train, val, config);
  EXPECT_NE(a.net.params, c.net.params);
}

TEST(HeadTraining, ResumedFromACheckpointEqualsUninterrupted) {
  const FeatureSet train = make_clusters(50, 8, 2, 3, 1), val = make_clusters(20, 8, 2, 1, 2);
  TrainConfig config = fast_config();
  const auto whole = train_head(start_training(8, 2, config), train, val, config);

  TrainConfig first_half = config;
  first_half.epochs = 3;
  const auto path = testing::scratch_dir() / "checkpoint.bin";
  save_checkpoint({config, "data", train_head(start_training(8, 2, config), train, val, first_half)}, path);
  const Checkpoint loaded = load_checkpoint(path);
  EXPECT_EQ(loaded.config, config);
  EXPECT_EQ(loaded.data_fingerprint, "data");
  EXPECT_EQ(loaded.state.history.size(), 3u);
  const auto resumed = train_head(loaded.state, train, val, config);
  EXPECT_EQ(resumed.net.params, whole.net.params);
  EXPECT_EQ(resumed.adam.m, whole.adam.m);
  EXPECT_EQ(resumed.history.back().val_loss, whole.history.back().val_loss);
}

TEST(HeadTraining, EarlyStoppingKeepsTheBestEpoch) {
  // A tiny, noisy training set overfits: validation loss turns up, so training stops early.
  const FeatureSet train = make_clusters(12, 64, 2, 1, 1), val = make_clusters(200, 64, 2, 1, 2);
  TrainConfig config = fast_config();
  config.learning_rate = 0.05f;
  config.weight_decay = 0.f;
  config.epochs = 200;
  config.early_stopping = 3;
  const auto state = train_head(start_training(64, 2, config), train, val, config);
  ASSERT_LT(state.history.size(), 200u);
  EXPECT_EQ(int(state.history.size()), state.best_epoch + 3);
  EXPECT_EQ(state.net.params, state.best_params);
  HeadNet net = state.net;
  EXPECT_FLOAT_EQ(evaluate_head(net, val).loss, state.history[size_t(state.best_epoch - 1)].val_loss);
}

TEST(HeadTraining, DistortedViewsAreWhatTrainingSees) {
  // View 0 carries no signal and views 1.. do: only a trainer that reads views 1.. can learn.
  FeatureSet train = make_clusters(60, 8, 2, 3, 1);
  for (size_t i = 0; i < train.size(); ++i)
    std::fill_n(train.features.begin() + ptrdiff_t(i * 3 * 8), 8, 0.f);
  const FeatureSet val = make_clusters(40, 8, 2, 1, 2);
  const TrainConfig config = fast_config();
  const auto state = train_head(start_training(8, 2, config), train, val, config);
  EXPECT_GT(state.history.back().val_accuracy, 0.8f);
}

TEST(ClassWeights, AutoBalancesTheClasses) {
  const std::vector<int> labels{0, 0, 0, 1};
  const auto w = make_class_weights("auto", labels, 3);  // n / (K * n_k), n = 4, K = 3
  EXPECT_FLOAT_EQ(w[0], 4.f / 9.f);
  EXPECT_FLOAT_EQ(w[1], 4.f / 3.f);
  EXPECT_FLOAT_EQ(w[2], 0.f);  // no example: never in the loss
  EXPECT_EQ(make_class_weights("none", labels, 3), std::vector<float>(3, 1.f));
  EXPECT_THROW(make_class_weights("balanced", labels, 3), std::exception);
}

}  // namespace
}  // namespace blastscan
