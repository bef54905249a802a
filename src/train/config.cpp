#include "train/config.h"

#include "base/error.h"
#include "base/file_io.h"
#include "inception/inception_v3.h"
#include "inception/preprocessing_recipe.h"

namespace blastscan {

namespace {

std::vector<std::string> endpoint_choices() {
  std::vector<std::string> names = {""};  // "": none
  for (const auto& e : inception_v3_endpoints()) names.emplace_back(e);
  return names;
}

std::vector<std::string> preprocessing_choices() {
  std::vector<std::string> names = {""};  // "": the backbone's own
  for (const auto& r : preprocessing_recipes()) names.emplace_back(r.name);
  return names;
}

}  // namespace

const SettingTable<TrainConfig>& train_settings() {
  using C = TrainConfig;
  static const SettingTable<TrainConfig> table = {
      {{.key = "learning_rate", .help = "initial learning rate (Adam)", .min = 1e-12, .max = 10}, &C::learning_rate},
      {{.key = "decay_rate", .help = "learning rate factor per decay step", .min = 1e-6, .max = 1}, &C::decay_rate},
      {{.key = "epochs_per_decay", .help = "epochs between decay steps", .min = 1e-3, .max = 1e6}, &C::epochs_per_decay},
      {{.key = "batch_size", .help = "images per training step", .min = 1, .max = 65536}, &C::batch_size},
      {{.key = "epochs", .help = "passes over the training set", .min = 1, .max = 1e6}, &C::epochs},
      {{.key = "validation", .help = "validation fraction", .min = 0.01, .max = 0.99, .flag = "--val"}, &C::validation},
      // 2^53: every seed is exact in a JSON double
      {{.key = "seed", .help = "random seed", .min = 0, .max = 9007199254740992.0}, &C::seed},
      {{.key = "weight_decay", .help = "L2 factor on the head's weights", .min = 0, .max = 1}, &C::weight_decay},
      {{.key = "dropout_keep", .help = "dropout keep probability while training", .min = 0.01, .max = 1},
       &C::dropout_keep},
      {{.key = "distortions", .help = "distorted views cached per training image", .min = 0, .max = 100},
       &C::distortions},
      {{.key = "class_weights", .help = "none, or auto to balance the classes", .choices = {"none", "auto"}},
       &C::class_weights},
      {{.key = "early_stopping",
        .help = "stop after N epochs without a lower validation loss (0 = off)",
        .min = 0,
        .max = 1e6},
       &C::early_stopping},
      {{.key = "group_by", .help = "keep groups on one side of the split: none, blocks:N, regex:PATTERN"},
       &C::group_by},
      {{.key = "endpoint", .help = "backbone end point (Conv2d_1a_3x3 ... Mixed_7c) or auto"}, &C::endpoint},
      {{.key = "preprocessing",
        .help = "evaluation preprocessing: " + preprocessing_names() +
                " (gray: histogram-equalised grayscale, then inception: ignores stain colour; gray-clahe, reinhard, "
                "white-balance: other colour normalisations); default: the backbone's",
        .choices = preprocessing_choices()},
       &C::preprocessing},
      {{.key = "fine_tune_from",
        .help = "also train every block above this end point (e.g. Mixed_6e), BatchNorm frozen; its activations "
                "are cached once per image view",
        .choices = endpoint_choices()},
       &C::fine_tune_from},
      {{.key = "backbone_learning_rate",
        .help = "initial learning rate of the fine-tuned blocks (Adam, the head's schedule)",
        .min = 0,
        .max = 10},
       &C::backbone_learning_rate},
      {{.key = "head_warmup_epochs",
        .help = "with --fine-tune-from: epochs in which only the head learns, before the blocks do",
        .min = 0,
        .max = 1e6},
       &C::head_warmup_epochs},
      {{.key = "final_endpoint",
        .help = "grow the backbone to this end point (e.g. Mixed_7c), new blocks He-initialised; needs "
                "--fine-tune-from",
        .choices = endpoint_choices()},
       &C::final_endpoint},
  };
  return table;
}

const Setting<TrainConfig>& train_setting(const std::string& key) {
  for (const auto& s : train_settings())
    if (s.spec.key == key) return s;
  throw Error("no training setting '" + key + "'");
}

nlohmann::json to_json(const TrainConfig& c) { return settings_to_json(train_settings(), c); }

void check_train_config(const TrainConfig& c, const std::string& name) {
  check_settings(train_settings(), c, name);
  if (!c.final_endpoint.empty() && c.fine_tune_from.empty())
    throw InputError(name + ": final_endpoint adds untrained blocks; it needs fine_tune_from");
  if (c.head_warmup_epochs > 0 && c.fine_tune_from.empty())
    throw InputError(name + ": head_warmup_epochs delays the blocks' training; it needs fine_tune_from");
}

TrainConfig parse_train_config(const nlohmann::json& json, const std::string& name) {
  TrainConfig c;
  settings_from_json(train_settings(), json, c, name);
  check_train_config(c, name);
  return c;
}

TrainConfig parse_train_config_text(std::string_view text, const std::string& name) {
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false, /*ignore_comments=*/true);
  if (json.is_discarded()) throw InputError(name + ": not valid JSON");
  return parse_train_config(json, name);
}

TrainConfig load_train_config(const std::string& path) {
  return parse_train_config_text(read_text_file(path, size_t(1) << 20), path);
}

}  // namespace blastscan
