#include "train/config.h"

#include "base/error.h"
#include "base/file_io.h"
#include "data/preprocess.h"
#include "inception/inception_v3.h"

namespace blastscan {

nlohmann::json to_json(const TrainConfig& c) {
  return {{"learning_rate", c.learning_rate},   {"decay_rate", c.decay_rate},
          {"epochs_per_decay", c.epochs_per_decay}, {"batch_size", c.batch_size},
          {"epochs", c.epochs},                 {"validation", c.validation},
          {"seed", c.seed},                     {"weight_decay", c.weight_decay},
          {"dropout_keep", c.dropout_keep},     {"distortions", c.distortions},
          {"class_weights", c.class_weights},   {"early_stopping", c.early_stopping},
          {"group_by", c.group_by},             {"endpoint", c.endpoint},
          {"preprocessing", c.preprocessing},   {"fine_tune_from", c.fine_tune_from},
          {"backbone_learning_rate", c.backbone_learning_rate}, {"final_endpoint", c.final_endpoint}};
}

namespace {

// Reads json[key] into field if present, checking type and range.
template <typename T>
void read_field(const nlohmann::json& json, const std::string& name, const char* key, T& field, double lo, double hi) {
  const auto it = json.find(key);
  if (it == json.end()) return;
  const std::string where = name + ": " + key;
  if constexpr (std::is_same_v<T, std::string>) {
    if (!it->is_string()) throw InputError(where + ": expected a string");
    field = it->template get<std::string>();
  } else {
    if (!it->is_number()) throw InputError(where + ": expected a number");
    const double v = it->template get<double>();
    if (std::is_integral_v<T> && v != static_cast<double>(static_cast<int64_t>(v)))
      throw InputError(where + ": expected a whole number, got " + it->dump());
    if (!(v >= lo && v <= hi))
      throw InputError(where + ": " + it->dump() + " is out of range [" + nlohmann::json(lo).dump() + ", " +
                       nlohmann::json(hi).dump() + "]");
    field = static_cast<T>(v);
  }
}

}  // namespace

TrainConfig parse_train_config(const nlohmann::json& json, const std::string& name) {
  if (!json.is_object()) throw InputError(name + ": expected a JSON object of training settings");
  const nlohmann::json known = to_json(TrainConfig{});
  for (const auto& [key, value] : json.items())
    if (!known.contains(key)) throw InputError(name + ": unknown key '" + key + "'");
  TrainConfig c;
  read_field(json, name, "learning_rate", c.learning_rate, 1e-12, 10);
  read_field(json, name, "decay_rate", c.decay_rate, 1e-6, 1);
  read_field(json, name, "epochs_per_decay", c.epochs_per_decay, 1e-3, 1e6);
  read_field(json, name, "batch_size", c.batch_size, 1, 65536);
  read_field(json, name, "epochs", c.epochs, 1, 1e6);
  read_field(json, name, "validation", c.validation, 0.01, 0.99);
  read_field(json, name, "seed", c.seed, 0, 9007199254740992.0);  // 2^53: exact in a JSON double
  read_field(json, name, "weight_decay", c.weight_decay, 0, 1);
  read_field(json, name, "dropout_keep", c.dropout_keep, 0.01, 1);
  read_field(json, name, "distortions", c.distortions, 0, 100);
  read_field(json, name, "class_weights", c.class_weights, 0, 0);
  read_field(json, name, "early_stopping", c.early_stopping, 0, 1e6);
  read_field(json, name, "group_by", c.group_by, 0, 0);
  read_field(json, name, "endpoint", c.endpoint, 0, 0);
  read_field(json, name, "preprocessing", c.preprocessing, 0, 0);
  read_field(json, name, "fine_tune_from", c.fine_tune_from, 0, 0);
  read_field(json, name, "backbone_learning_rate", c.backbone_learning_rate, 0, 10);
  read_field(json, name, "final_endpoint", c.final_endpoint, 0, 0);
  for (const auto* endpoint : {&c.fine_tune_from, &c.final_endpoint})
    if (!endpoint->empty() && !is_endpoint(*endpoint))
      throw InputError(name + ": '" + *endpoint + "' is not an end point (Conv2d_1a_3x3 ... Mixed_7c)");
  if (!c.final_endpoint.empty() && c.fine_tune_from.empty())
    throw InputError(name + ": final_endpoint adds untrained blocks; it needs fine_tune_from");
  if (!c.preprocessing.empty() && !is_preprocessing(c.preprocessing))
    throw InputError(name + ": preprocessing: '" + c.preprocessing + "', expected inception, whole or gray");
  if (c.class_weights != "none" && c.class_weights != "auto")
    throw InputError(name + ": class_weights: '" + c.class_weights + "', expected none or auto");
  return c;
}

TrainConfig load_train_config(const std::string& path) {
  const std::string text = read_text_file(path, size_t(1) << 20);
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false, /*ignore_comments=*/true);
  if (json.is_discarded()) throw InputError(path + ": not valid JSON");
  return parse_train_config(json, path);
}

}  // namespace blastscan
