// blastscan train: transfer learning of the final layer on cached bottleneck features.
// Settings come from the defaults, then --config FILE, then flags (flags win); the flags are
// generated from train_settings() (train/config.cpp), each the config key with dashes. Prints
// one line per epoch and, at the end, where everything went.
// With --cache-only [--shard I/N] it only fills the feature cache (for part I of N of the
// images, e.g. one task of a Slurm array) and trains nothing.
#include <cstdio>
#include <cstdlib>
#include <tuple>

#include "base/error.h"
#include "base/file_io.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/progress_bar.h"
#include "report/svg_chart.h"
#include "report/wilson_interval.h"
#include "train/cache_warming.h"
#include "train/train_run.h"

namespace blastscan::cli {

namespace {

struct TrainArgs {
  std::string backbone = shared_path("models/inception_v3_imagenet_2015_mixed7a.pb");
  std::string data, out, config_file, cache, precision = "fp32";
  std::vector<std::string> positive;
  bool resume = false, cache_only = false;
  std::string shard;
  int threads = 0;
  TrainConfig flags;  // values of the flags given
  std::unique_ptr<SettingFlags<TrainConfig>> setting_flags;
};

// Defaults <- config file <- flags given on the command line.
TrainConfig merge_config(const TrainArgs& a) {
  TrainConfig merged = a.config_file.empty() ? TrainConfig{} : load_train_config(a.config_file);
  a.setting_flags->apply(merged);
  check_train_config(merged, "command line");
  return merged;
}

// The same request for --cache-only and for training, so a cache filled by shards is the one
// train looks up (its key holds the precision: --cache-only once ignored --precision).
TrainRequest request_of(const TrainArgs& a, bool resume) {
  return {a.backbone, a.data, a.out, merge_config(a), a.positive, resume, a.cache, a.threads, choose_precision(a.precision)};
}

void print_epoch(const EpochMetrics& m, int epochs) {
  std::printf("epoch %3d/%d  loss %.4f  train %5.1f%%  val %5.1f%% (loss %.4f)  lr %.2e  %.2fs\n", m.epoch, epochs,
              m.train_loss, 100 * m.train_accuracy, 100 * m.val_accuracy, m.val_loss, m.learning_rate, m.seconds);
  std::fflush(stdout);
}

// --cache-only: the feature pass of this shard, for a train job to find later.
void warm_cache(const TrainArgs& a) {
  if (a.resume) throw InputError("--cache-only trains nothing: drop --resume");
  const ShardSpec shard = a.shard.empty() ? ShardSpec{} : parse_shard_spec(a.shard, std::getenv("SLURM_ARRAY_TASK_ID"),
                                                                        std::getenv("SLURM_ARRAY_TASK_COUNT"));
  const TrainRequest request = request_of(a, false);
  TrainProgress progress;
  progress.on_note = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
  const CacheWarming w = warm_feature_cache(request, shard, progress);
  for (const auto& [what, images, s] : {std::tuple{"training", w.train_images, w.train},
                                        std::tuple{"validation", w.validation_images, w.validation}})
    std::printf("cache shard %s: %zu %s images, %zu views: %zu cached already, %zu computed (%.1f images/s)\n",
                shard.text().c_str(), images, what, s.views, s.cached, s.computed, s.images_per_second());
  std::printf("cache: %s\n", w.cache_dir.string().c_str());
}

void run(const TrainArgs& a) {
  if (a.cache_only) return warm_cache(a);
  if (!a.shard.empty()) throw InputError("--shard: only with --cache-only (one job trains, many fill its cache)");
  if (a.out.empty()) throw InputError("--out RUN_DIR is required (except with --cache-only)");
  const TrainRequest request = request_of(a, a.resume);
  TrainProgress progress;
  progress.on_progress = terminal_progress();
  progress.on_note = [](const std::string& line) {
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  };
  progress.on_epoch = [&](const EpochMetrics& m) { print_epoch(m, request.config.epochs); };
  const TrainRun run = run_training(request, progress);

  write_file_atomic(request.out / "training_curves.svg", training_curves_svg(run.state.history));
  if (int(run.state.history.size()) < request.config.epochs)
    std::printf("stopped early after epoch %zu: no lower validation loss for %d epochs; the model is epoch %d's\n",
                run.state.history.size(), request.config.early_stopping, run.state.best_epoch);
  const size_t n = run.validation_labels.size();
  const auto correct = static_cast<size_t>(run.validation.accuracy * double(n) + 0.5);
  const Interval ci = wilson_interval(correct, n);
  std::printf("validation accuracy %.2f%% (%zu of %zu, 95%% CI %.2f%%-%.2f%%), loss %.4f\n",
              100 * run.validation.accuracy, correct, n, 100 * ci.low, 100 * ci.high, run.validation.loss);
  std::string positive;
  for (const auto& p : run.model.positive) positive += (positive.empty() ? "" : ",") + p;
  std::printf("ALL classes: %s\n", positive.empty() ? "(none)" : positive.c_str());
  std::printf("time: features %.1f s + %.1f s, head %.1f s, total %.1f s\n", run.train_features.seconds,
              run.validation_features.seconds, run.head_seconds, run.total_seconds);
  std::printf("model: %s\nrun folder: %s (model_card.json, metrics.csv, training_curves.svg, TensorBoard events)\n",
              run.model_path.string().c_str(), request.out.string().c_str());
}

}  // namespace

void add_train(CLI::App& app) {
  auto a = std::make_shared<TrainArgs>();
  auto* cmd = app.add_subcommand("train", "retrain the final layer on a dataset (transfer learning)");
  cmd->add_option("--backbone,-b", a->backbone, "frozen backbone .pb (e.g. the shared ImageNet Inception V3)")
      ->capture_default_str();
  add_option(cmd, flags::data, a->data)->required();
  cmd->add_option("--out,-o", a->out, "run folder for the model, logs and checkpoints (required unless --cache-only)");
  cmd->add_option("--config,-c", a->config_file, "JSON settings (keys as the flags below, with underscores)");
  add_option(cmd, flags::positive, a->positive);
  cmd->add_flag("--resume", a->resume, "continue the run in --out from its last checkpoint");
  add_option(cmd, flags::cache, a->cache);
  add_option(cmd, flags::cache_only, a->cache_only);
  add_option(cmd, flags::shard, a->shard)->description("with --cache-only: fill the cache for part I of N of the images");
  add_option(cmd, flags::threads, a->threads);
  add_option(cmd, flags::precision, a->precision);
  a->setting_flags = std::make_unique<SettingFlags<TrainConfig>>(cmd, train_settings(), a->flags);
  cmd->callback([a] { run(*a); });
}

}  // namespace blastscan::cli
