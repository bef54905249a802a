#include "train/train_run.h"

#include <chrono>

#include "base/error.h"
#include "base/file_io.h"
#include "base/float_text.h"
#include "base/hash.h"
#include "base/progress.h"
#include "base/safe_text.h"
#include "data/manifest.h"
#include "data/prepare.h"
#include "data/split.h"
#include "formats/graphdef.h"
#include "formats/tfevents.h"
#include "inception/inception_v3.h"
#include "train/bottleneck_cache.h"
#include "train/checkpoint.h"
#include "train/fine_tuning.h"
#include "train/timestamp.h"

namespace blastscan {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

void note(const TrainProgress& p, const std::string& text) {
  if (p.on_note) p.on_note(text);
}

std::vector<fs::path> paths_of(const Dataset& d) {
  std::vector<fs::path> paths;
  for (const auto& s : d.samples) paths.push_back(s.path);
  return paths;
}

std::vector<int> labels_of(const Dataset& d) {
  std::vector<int> labels;
  for (const auto& s : d.samples) labels.push_back(s.label);
  return labels;
}

// The data a run learns from, by content: every image's hash, class and side of the split.
std::string manifest_digest(const Dataset& d) {
  std::string text;
  for (const auto& name : d.classes) text += "class=" + name + ";";
  for (const auto& s : d.samples) text += s.hash + ":" + std::to_string(s.label) + ":" + s.split + ";";
  return sha256_hex(text);
}

// What the training features depend on: the same fingerprint means a checkpoint fits.
std::string features_fingerprint(const std::string& manifest, const std::string& backbone, const TrainConfig& c) {
  return sha256_hex(manifest + ";" + backbone + ";distortions=" + std::to_string(c.distortions) +
                    ";seed=" + std::to_string(c.seed));
}

// Settings that may change on --resume: how long to go on. Anything else must match.
bool resumable_with(TrainConfig saved, const TrainConfig& now) {
  saved.epochs = now.epochs;
  saved.early_stopping = now.early_stopping;
  return saved == now;
}

std::vector<std::string> choose_positive(const std::vector<std::string>& requested,
                                         const std::vector<std::string>& classes) {
  std::string known;
  for (const auto& c : classes) known += (known.empty() ? "" : ", ") + c;
  for (const auto& name : requested)
    if (std::find(classes.begin(), classes.end(), name) == classes.end())
      throw InputError("--positive: no class named '" + name + "' (classes: " + known + ")");
  if (!requested.empty()) return requested;
  // A model that names no ALL class answers "not ALL" to every image: never made silently.
  auto positive = default_positive_classes(classes);
  if (positive.empty())
    throw InputError("which classes mean ALL? None of " + known + " is the one healthy class by name (benign, " +
                     "healthy, normal, negative, hem or 0); say it with --positive NAME[,NAME...]");
  return positive;
}

void remove_previous_outputs(const fs::path& out, bool resuming) {
  std::error_code ec;
  for (const char* file : {"model.pb", "labels.txt", "model_card.json"}) fs::remove(out / file, ec);
  if (!resuming)
    for (const char* file : {"checkpoint.bin", "metrics.csv"}) fs::remove(out / file, ec);
}

void write_metrics_csv(const fs::path& path, const std::vector<EpochMetrics>& history) {
  std::string csv = "epoch,step,learning_rate,train_loss,train_accuracy,val_loss,val_accuracy,seconds\n";
  char line[256];
  for (const auto& e : history) {
    std::snprintf(line, sizeof line, "%d,%lld,%.6g,%.6f,%.6f,%.6f,%.6f,%.3f\n", e.epoch,
                  static_cast<long long>(e.step), e.learning_rate, e.train_loss, e.train_accuracy, e.val_loss,
                  e.val_accuracy, e.seconds);
    csv += line;
  }
  write_file_atomic(path, csv);
}

void remove_old_event_files(const fs::path& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.path().filename().string().rfind("events.out.tfevents.", 0) == 0) fs::remove(entry.path(), ec);
}

json class_counts(const Dataset& d) {
  json counts = json::object();
  for (const auto& name : d.classes) counts[name] = {{"train", 0}, {"validation", 0}};
  for (const auto& s : d.samples) {
    json& count = counts[d.classes[size_t(s.label)]][s.split];
    count = count.get<int>() + 1;
  }
  return counts;
}

json trained_scopes(const TrainRun& run) {
  json scopes = json::array();
  for (const auto& block : run.trained_scopes) scopes.push_back("InceptionV3/" + block);
  scopes.push_back("InceptionV3/Logits");
  return scopes;
}

json model_card(const TrainRequest& r, const TrainRun& run, const std::string& manifest, const std::string& backbone) {
  const EpochMetrics& last = run.state.history.back();
  json history = json::array();
  for (const auto& e : run.state.history) history.push_back(epoch_to_json(e));
  const int head_epoch = r.config.early_stopping > 0 ? run.state.best_epoch : last.epoch;
  return {{"format", "blastscan model card 1"},
          {"created", iso_time_now()},
          {"model", "model.pb"},
          {"task", "acute lymphoblastic leukemia (ALL) detection from blood-smear images"},
          {"backbone", {{"file", r.backbone.string()},
                        {"file_sha256", sha256_file_hex(r.backbone)},
                        {"weights_id", backbone},
                        {"endpoint", run.model.endpoint},
                        {"feature_dim", run.state.net.C}}},
          // What learned in this run (TF-Slim's --trainable_scopes) and what started from scratch.
          {"trained_scopes", trained_scopes(run)},
          {"initialised_scopes", run.initialised_scopes},
          {"preprocessing", run.model.preprocessing},
          {"classes", run.model.classes},
          {"positive", run.model.positive},
          {"data", {{"source", r.data.string()},
                    {"manifest_sha256", manifest},
                    {"images", run.dataset.samples.size()},
                    {"per_class", class_counts(run.dataset)}}},
          {"config", to_json(r.config)},
          {"metrics", {{"epochs", last.epoch},
                       {"head_from_epoch", head_epoch},
                       {"val_accuracy", as_written(run.validation.accuracy)},
                       {"val_loss", as_written(run.validation.loss)},
                       {"train_accuracy", as_written(last.train_accuracy)},
                       {"train_loss", as_written(last.train_loss)}}},
          {"history", history},
          {"timing_seconds", {{"features_train", run.train_features.seconds},
                              {"features_validation", run.validation_features.seconds},
                              {"head", run.head_seconds},
                              {"total", run.total_seconds}}}};
}

// ---- the steps of run_training, in order

// The backbone, the data and its split, the classes: every check that can fail before the long pass.
struct RunInputs {
  Model model;              // the backbone; classes and positive classes set
  std::string backbone;     // backbone_id: what the cached features depend on
  int C = 0;                // features per image
  Dataset train, val;
  std::string manifest;     // manifest_digest of the split
  std::string fingerprint;  // features_fingerprint: a checkpoint fits when it matches
};

RunInputs check_inputs(const TrainRequest& r, TrainRun& run, const TrainProgress& progress) {
  const TrainConfig& config = r.config;
  RunInputs in;
  in.model = training_backbone(r, &run.initialised_scopes);
  const auto& endpoints = inception_v3_endpoints();
  const auto position = [&](const std::string& e) { return std::find(endpoints.begin(), endpoints.end(), e); };
  if (!config.fine_tune_from.empty() && position(config.fine_tune_from) >= position(in.model.endpoint))
    throw InputError("--fine-tune-from " + config.fine_tune_from + ": the backbone ends at " + in.model.endpoint +
                     ", nothing to train above it (--final-endpoint Mixed_7c grows it)");
  in.backbone = backbone_id(in.model, 299, r.precision);
  in.C = feature_dim(in.model);
  run.dataset = load_training_split(r.data, config, r.threads, progress);
  in.train = select_split(run.dataset, kTrain);
  in.val = select_split(run.dataset, kValidation);
  note(progress, format_split_table(run.dataset));
  in.model.classes = run.dataset.classes;
  in.model.positive = choose_positive(r.positive, in.model.classes);
  in.manifest = manifest_digest(run.dataset);
  in.fingerprint = features_fingerprint(in.manifest, in.backbone, config);
  return in;
}

// A new head (and Adam state), or the checkpoint's when resuming: only for the same data and settings.
TrainingState start_or_resume(const TrainRequest& r, const RunInputs& in, const TrainProgress& progress) {
  const int K = static_cast<int>(in.model.classes.size());
  if (!r.resume) return start_training(in.C, K, r.config);
  const fs::path path = r.out / "checkpoint.bin";
  Checkpoint c = load_checkpoint(path);
  if (c.data_fingerprint != in.fingerprint || !resumable_with(c.config, r.config) || c.state.net.K != K ||
      c.state.net.C != in.C)
    throw InputError(path.string() + ": made with other data or settings; drop --resume to start over");
  note(progress, "resuming after epoch " + std::to_string(c.state.history.size()));
  return std::move(c.state);
}

// What the head learns from. Head only: the cached bottleneck features. Fine-tuning: the
// activations at the cut, cached, and the blocks above it, which run every step. The sources
// point into the other members, so the struct stays where it is made.
struct TrainingFeatures {
  FeatureSet train_set, val_set;
  std::optional<CutActivations> train_cut, val_cut;
  std::optional<TrainableStack> stack;
  std::unique_ptr<FeatureSource> train, val;
};

// The one network pass per image view, or none when cached.
void load_features(TrainingFeatures& f, const TrainRequest& r, const RunInputs& in, TrainingState& state,
                   TrainRun& run, const TrainProgress& progress) {
  const TrainConfig& config = r.config;
  const bool fine_tuning = !config.fine_tune_from.empty();
  note(progress, "backbone " + r.backbone.string() + ": end point " + in.model.endpoint + ", " +
                     std::to_string(in.C) + " features");
  ExtractOptions extract{.cache_dir = r.cache_dir, .threads = r.threads, .precision = r.precision,
                         .distortions = config.distortions, .seed = config.seed, .progress = progress.on_progress};
  if (fine_tuning) {
    const Model lower = lower_part(in.model, config.fine_tune_from);
    extract.batch = 4;  // the frozen part keeps every activation of a batch: 4 images ~ 200 MB
    f.train_cut = cache_activations(lower, paths_of(in.train), extract, &run.train_features);
    extract.distortions = 0;
    f.val_cut = cache_activations(lower, paths_of(in.val), extract, &run.validation_features);
    f.stack.emplace(in.model, config.fine_tune_from, StackOptions{.batch = config.batch_size, .threads = r.threads});
    if (state.backbone_params.empty()) {  // a new run; a resumed one brings its own
      state.backbone_params = state.backbone_best_params = f.stack->to_graph_order(f.stack->parameters());
      state.backbone_adam = make_adam_state(state.backbone_params.size());
    }
    if (state.backbone_params.size() != f.stack->graph_order_size())
      throw InputError((r.out / "checkpoint.bin").string() +
                       ": made with other trainable blocks; drop --resume to start over");
    run.trained_scopes = trained_blocks(*f.stack);
    note(progress, "fine-tuning " + std::to_string(f.stack->conv_slots().size()) + " convs above " +
                       config.fine_tune_from + " (" + std::to_string(f.stack->graph_order_size()) + " parameters)");
    f.train = std::make_unique<BlockFeatures>(*f.stack, *f.train_cut, labels_of(in.train), config);
    f.val = std::make_unique<BlockFeatures>(*f.stack, *f.val_cut, labels_of(in.val), config);
  } else {
    f.train_set = {in.C, 1 + config.distortions,
                   extract_features(in.model, paths_of(in.train), extract, &run.train_features), labels_of(in.train)};
    extract.distortions = 0;
    f.val_set = {in.C, 1, extract_features(in.model, paths_of(in.val), extract, &run.validation_features),
                 labels_of(in.val)};
    f.train = std::make_unique<CachedFeatures>(f.train_set);
    f.val = std::make_unique<CachedFeatures>(f.val_set);
  }
  for (const auto* s : {&run.train_features, &run.validation_features}) {
    char line[160];
    std::snprintf(line, sizeof line, "%s: %zu cached, %zu computed (%.1f images/s), %.1f s",
                  fine_tuning ? "activations" : "features", s->cached, s->computed, s->images_per_second(),
                  s->seconds);
    note(progress, line);
  }
}

// Head training (and the blocks when fine-tuning), checkpointed and logged every epoch into RUN_DIR.
TrainingState train_logged(const TrainRequest& r, TrainingState state, TrainingFeatures& f, const RunInputs& in,
                           const Dataset& split, const TrainProgress& progress) {
  const TrainConfig& config = r.config;
  fs::create_directories(r.out);
  // A previous run's model and card must not sit beside this run's checkpoint if it is killed
  // (nor its checkpoint and metrics beside this run's manifest, unless this run continues it).
  remove_previous_outputs(r.out, r.resume);
  if (!r.resume) remove_old_event_files(r.out);
  write_manifest(split, r.out);
  EventWriter events(r.out);
  const auto steps_per_epoch = (f.train->size() + size_t(config.batch_size) - 1) / size_t(config.batch_size);
  const auto epochs_left = size_t(std::max<int64_t>(0, config.epochs - int64_t(state.history.size())));
  ProgressCounter bar(progress.on_progress, config.fine_tune_from.empty() ? "training head" : "fine-tuning",
                      epochs_left * steps_per_epoch, "step");
  TrainCallbacks callbacks;
  callbacks.on_step = [&](float loss) {
    char detail[32];
    std::snprintf(detail, sizeof detail, "loss %.4f", loss);
    bar.advance(1, detail);
  };
  callbacks.on_epoch = [&](const TrainingState& s, const EpochMetrics& m) {
    save_checkpoint({config, in.fingerprint, s}, r.out / "checkpoint.bin");
    write_metrics_csv(r.out / "metrics.csv", s.history);
    events.add_scalars(m.step, {{"loss", m.train_loss}, {"accuracy", m.train_accuracy},
                                {"validation/loss", m.val_loss}, {"validation/accuracy", m.val_accuracy},
                                {"learning_rate", m.learning_rate}});
    if (progress.on_epoch) progress.on_epoch(m);
  };
  TrainingState trained = train_head(std::move(state), *f.train, *f.val, config, callbacks);
  bar.finish();
  return trained;
}

// The frozen model (the final or best head, and blocks when fine-tuning) and its card.
void freeze_model(const TrainRequest& r, RunInputs& in, TrainingFeatures& f, TrainRun& run) {
  if (f.stack) {  // the final (or best) blocks' weights go into the model's convs
    f.stack->load_graph_order(run.state.backbone_params);
    f.stack->store_parameters(in.model);
  }
  run.validation = evaluate_head(run.state.net, *f.val);
  run.validation_labels = labels_of(in.val);
  in.model.head = to_model_head(run.state.net);
  run.model_path = r.out / "model.pb";
  save_model(in.model, run.model_path);
  run.model = std::move(in.model);
}

}  // namespace

Dataset load_training_split(const fs::path& data, const TrainConfig& config, int threads,
                            const TrainProgress& progress) {
  Dataset d = load_dataset(data);
  const bool is_split = !d.samples.empty() && std::all_of(d.samples.begin(), d.samples.end(), [](const Sample& s) {
    return s.split == kTrain || s.split == kValidation;
  });
  if (is_split) {
    // A manifest's hashes may be stale; the cache hashes bytes itself, and the fingerprint
    // should too, so hash what is on disk now.
    for (auto& s : d.samples) s.hash = sha256_file_hex(s.path);
    return d;
  }
  const auto duplicates = prepare_dataset(d,
                                          {.group_by = config.group_by.empty() ? "none" : config.group_by,
                                           .validation = config.validation,
                                           .seed = static_cast<unsigned>(config.seed)},
                                          threads, progress.on_progress);
  // Dataset::skipped: the unreadable files, then the duplicates (each also in the run's manifest.json).
  for (size_t i = 0; i + duplicates.size() < d.skipped.size(); ++i)
    note(progress, "skipped " + d.skipped[i].path.string() + ": " + d.skipped[i].reason);
  if (!duplicates.empty())
    note(progress, "dropped " + std::to_string(duplicates.size()) + " exact duplicates (e.g. " +
                       duplicates.front().dropped.string() + " = " + duplicates.front().kept.string() + ")");
  return d;
}

Model training_backbone(const TrainRequest& r, std::vector<std::string>* initialised_scopes) {
  const TrainConfig& config = r.config;
  Model model = load_model(r.backbone, {.endpoint = config.endpoint});
  model.head.reset();
  if (!config.preprocessing.empty()) model.preprocessing = config.preprocessing;
  if (!config.final_endpoint.empty()) {
    auto scopes = add_he_initialised_blocks(model, config.final_endpoint, config.seed);
    if (initialised_scopes) *initialised_scopes = std::move(scopes);
  }
  return model;
}

TrainRun run_training(const TrainRequest& r, const TrainProgress& progress) {
  const auto start = std::chrono::steady_clock::now();
  TrainRun run;
  RunInputs in = check_inputs(r, run, progress);
  TrainingState state = start_or_resume(r, in, progress);
  TrainingFeatures features;
  load_features(features, r, in, state, run, progress);
  const auto head_start = std::chrono::steady_clock::now();
  run.state = train_logged(r, std::move(state), features, in, run.dataset, progress);
  run.head_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - head_start).count();
  freeze_model(r, in, features, run);
  run.total_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  write_file_atomic(r.out / "model_card.json",
                    json_text(model_card(r, run, in.manifest, in.backbone), 2) + "\n");
  return run;
}

}  // namespace blastscan
