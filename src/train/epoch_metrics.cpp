#include "train/epoch_metrics.h"

#include "base/error.h"
#include "base/float_text.h"

namespace blastscan {

namespace {

template <typename T>
void read(const nlohmann::json& json, const char* key, T& field, const std::string& where) {
  const auto it = json.find(key);
  if (it == json.end() || !it->is_number())
    throw InputError(where + ": epoch record: '" + key + "' missing or not a number");
  field = it->template get<T>();
}

}  // namespace

nlohmann::json epoch_to_json(const EpochMetrics& m) {
  return {{"epoch", m.epoch},
          {"step", m.step},
          {"learning_rate", as_written(m.learning_rate)},
          {"train_loss", as_written(m.train_loss)},
          {"train_accuracy", as_written(m.train_accuracy)},
          {"val_loss", as_written(m.val_loss)},
          {"val_accuracy", as_written(m.val_accuracy)},
          {"seconds", m.seconds}};
}

EpochMetrics epoch_from_json(const nlohmann::json& json, const std::string& where) {
  if (!json.is_object()) throw InputError(where + ": epoch record: expected an object");
  EpochMetrics m;
  read(json, "epoch", m.epoch, where);
  read(json, "step", m.step, where);
  read(json, "learning_rate", m.learning_rate, where);
  read(json, "train_loss", m.train_loss, where);
  read(json, "train_accuracy", m.train_accuracy, where);
  read(json, "val_loss", m.val_loss, where);
  read(json, "val_accuracy", m.val_accuracy, where);
  read(json, "seconds", m.seconds, where);
  return m;
}

}  // namespace blastscan
