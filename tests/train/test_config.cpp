// Training settings from JSON: defaults as the seed's confs.json, keys override, and typos,
// wrong types and out-of-range values are errors naming the key.
#include <gtest/gtest.h>

#include <set>

#include "base/error.h"
#include "base/file_io.h"
#include "common/paths.h"
#include "train/config.h"

namespace blastscan {
namespace {

using nlohmann::json;

TEST(TrainConfig, DefaultsAreTheSeedsButTheLearningRate) {
  const TrainConfig c = parse_train_config(json::object(), "x.json");
  EXPECT_FLOAT_EQ(c.learning_rate, 3e-3f);  // the seed's 1e-4 underfits a head on frozen features
  EXPECT_EQ(c.epochs, 65);
  EXPECT_FLOAT_EQ(c.decay_rate, 0.8f);
  EXPECT_EQ(c.epochs_per_decay, 10);
  EXPECT_EQ(c.batch_size, 10);
  EXPECT_EQ(c.validation, 0.3);
  EXPECT_EQ(c.seed, 50u);
  EXPECT_FLOAT_EQ(c.dropout_keep, 0.8f);
  EXPECT_FLOAT_EQ(c.weight_decay, 4e-5f);
}

TEST(TrainConfig, RoundTripsThroughJson) {
  TrainConfig c;
  c.learning_rate = 3e-3f;
  c.class_weights = "auto";
  c.group_by = "blocks:25";
  c.seed = 123456789012ull;
  EXPECT_EQ(parse_train_config(to_json(c), "x"), c);
}

// Each row of the table is bound to its own field: setting one key in JSON changes that key,
// and only that key, when the config is written back (as the model card does).
TEST(TrainConfig, EveryRowOwnsOneField) {
  TrainConfig base;
  base.fine_tune_from = "Mixed_6e";  // so that final_endpoint, which needs it, may be set too
  const json defaults = to_json(base);
  std::set<std::string> keys, flags;
  for (const auto& row : train_settings()) {
    EXPECT_TRUE(keys.insert(row.spec.key).second) << row.spec.key;
    EXPECT_TRUE(flags.insert(row.spec.flag_names()).second) << row.spec.flag_names();
    json changed = defaults[row.spec.key];
    if (changed.is_string()) {
      for (const auto& choice : row.spec.choices)
        if (choice != changed.get<std::string>()) changed = choice;
      if (row.spec.choices.empty()) changed = "blocks:7";
    } else {
      changed = changed.get<double>() + 1 <= row.spec.max ? changed.get<double>() + 1 : row.spec.min;
    }
    ASSERT_NE(changed, defaults[row.spec.key]) << row.spec.key;
    json given = defaults;
    given[row.spec.key] = changed;
    const json written = to_json(parse_train_config(given, "x"));
    for (const auto& [key, value] : defaults.items())
      if (key == row.spec.key) EXPECT_EQ(written[key], changed) << key;
      else EXPECT_EQ(written[key], value) << "setting " << row.spec.key << " changed " << key;
  }
  EXPECT_EQ(keys.size(), defaults.size());
  EXPECT_EQ(train_setting("validation").spec.flag_names(), "--val");
  EXPECT_EQ(train_setting("learning_rate").spec.flag_names(), "--learning-rate");
}

TEST(TrainConfig, FileWithCommentsLoads) {
  const auto path = testing::scratch_dir() / "blastscan.json";
  write_file_atomic(path, std::string_view("{\n  // faster\n  \"learning_rate\": 0.001, \"epochs\": 20\n}"));
  const TrainConfig c = load_train_config(path.string());
  EXPECT_FLOAT_EQ(c.learning_rate, 1e-3f);
  EXPECT_EQ(c.epochs, 20);
}

void expect_error(const json& j, const std::string& mention) {
  try {
    parse_train_config(j, "conf.json");
    FAIL() << "accepted " << j.dump();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(mention), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("conf.json"), std::string::npos) << e.what();
  }
}

TEST(TrainConfig, BadValuesAreErrorsNamingTheKey) {
  expect_error({{"learning_rat", 0.1}}, "learning_rat");
  expect_error({{"batch_size", "ten"}}, "batch_size");
  expect_error({{"batch_size", 2.5}}, "batch_size");
  expect_error({{"batch_size", 0}}, "batch_size");
  expect_error({{"validation", 1.5}}, "validation");
  expect_error({{"class_weights", "balanced"}}, "class_weights");
  expect_error(json::array(), "object");
}

TEST(TrainConfig, NotJsonIsAnError) {
  const auto path = testing::scratch_dir() / "bad.json";
  write_file_atomic(path, std::string_view("{ learning_rate: "));
  EXPECT_THROW(load_train_config(path.string()), InputError);
}

}  // namespace
}  // namespace blastscan
