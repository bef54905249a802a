// blastscan train: transfer learning of the final layer on cached bottleneck features.
// Settings come from the defaults, then --config FILE, then flags (flags win); each flag is the
// config key with dashes. Prints one line per epoch and, at the end, where everything went.
// With --cache-only [--shard I/N] it only fills the feature cache (for part I of N of the
// images, e.g. one task of a Slurm array) and trains nothing.
#include <cstdio>
#include <cstdlib>
#include <tuple>

#include "base/error.h"
#include "base/file_io.h"
#include "cli/commands.h"
#include "cli/options.h"
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
  unsigned seed = 50;
  TrainConfig flags;                                      // values of the flags given
  std::vector<std::pair<CLI::Option*, std::string>> keyed;  // flag -> config key
};

// Defaults <- config file <- flags given on the command line.
TrainConfig merge_config(const TrainArgs& a) {
  nlohmann::json merged = a.config_file.empty() ? to_json(TrainConfig{}) : to_json(load_train_config(a.config_file));
  TrainConfig flags = a.flags;
  flags.seed = a.seed;
  const nlohmann::json given = to_json(flags);
  for (const auto& [option, key] : a.keyed)
    if (option->count() > 0) merged[key] = given.at(key);
  return parse_train_config(merged, "command line");
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
  const TrainRequest request{a.backbone, a.data, a.out, merge_config(a), a.positive, false, a.cache, a.threads};
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
  TrainRequest request{a.backbone, a.data, a.out, merge_config(a), a.positive, a.resume, a.cache, a.threads,
                       choose_precision(a.precision)};
  TrainProgress progress;
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
  add_data_option(cmd, a->data);
  cmd->add_option("--out,-o", a->out, "run folder for the model, logs and checkpoints (required unless --cache-only)");
  cmd->add_option("--config,-c", a->config_file, "JSON settings (keys as the flags below, with underscores)");
  add_positive_option(cmd, a->positive);
  cmd->add_flag("--resume", a->resume, "continue the run in --out from its last checkpoint");
  add_cache_option(cmd, a->cache);
  cmd->add_flag("--cache-only", a->cache_only,
                "only fill the feature cache (with --shard: for part of the images), for a later train to run warm");
  add_shard_option(cmd, a->shard, "with --cache-only: fill the cache for that part");
  add_threads_option(cmd, a->threads);
  add_precision_option(cmd, a->precision);

  TrainConfig& f = a->flags;
  auto keyed = [&](CLI::Option* option, const char* key) { a->keyed.emplace_back(option->capture_default_str(), key); };
  keyed(cmd->add_option("--learning-rate", f.learning_rate, "initial learning rate (Adam)"), "learning_rate");
  keyed(cmd->add_option("--decay-rate", f.decay_rate, "learning rate factor per decay step"), "decay_rate");
  keyed(cmd->add_option("--epochs-per-decay", f.epochs_per_decay, "epochs between decay steps"), "epochs_per_decay");
  keyed(cmd->add_option("--batch-size", f.batch_size, "images per training step"), "batch_size");
  keyed(cmd->add_option("--epochs", f.epochs, "passes over the training set"), "epochs");
  add_validation_option(cmd, f.validation);
  a->keyed.emplace_back(cmd->get_option("--val"), "validation");
  add_seed_option(cmd, a->seed);
  a->keyed.emplace_back(cmd->get_option("--seed"), "seed");
  keyed(cmd->add_option("--weight-decay", f.weight_decay, "L2 factor on the head's weights"), "weight_decay");
  keyed(cmd->add_option("--dropout-keep", f.dropout_keep, "dropout keep probability while training"), "dropout_keep");
  keyed(cmd->add_option("--distortions", f.distortions, "distorted views cached per training image"), "distortions");
  keyed(cmd->add_option("--class-weights", f.class_weights, "none, or auto to balance the classes"), "class_weights");
  keyed(cmd->add_option("--early-stopping", f.early_stopping, "stop after N epochs without a lower validation loss (0 = off)"),
        "early_stopping");
  add_group_by_option(cmd, f.group_by);
  a->keyed.emplace_back(cmd->get_option("--group-by"), "group_by");
  add_endpoint_option(cmd, f.endpoint);
  a->keyed.emplace_back(cmd->get_option("--endpoint"), "endpoint");
  keyed(cmd->add_option("--preprocessing", f.preprocessing,
                        "inception (central crop, [-1,1]), whole (no crop, (x-128)/128) or gray (histogram-equalised "
                        "grayscale, then inception: ignores stain colour); default: the backbone's"),
        "preprocessing");
  keyed(cmd->add_option("--fine-tune-from", f.fine_tune_from,
                        "also train every block above this end point (e.g. Mixed_6e), BatchNorm frozen; its "
                        "activations are cached once per image view"),
        "fine_tune_from");
  keyed(cmd->add_option("--backbone-learning-rate", f.backbone_learning_rate,
                        "initial learning rate of the fine-tuned blocks (Adam, the head's schedule)"),
        "backbone_learning_rate");
  keyed(cmd->add_option("--final-endpoint", f.final_endpoint,
                        "grow the backbone to this end point (e.g. Mixed_7c), new blocks He-initialised; needs "
                        "--fine-tune-from"),
        "final_endpoint");
  cmd->callback([a] { run(*a); });
}

}  // namespace blastscan::cli
