// Training settings, read from a JSON config (e.g. blastscan.json) whose keys are the field
// names below; the CLI flags are the same names with dashes and win over the file. Each
// setting is declared once, in train_settings() (config.cpp): key, flag, help, accepted
// values; the config file, the flags and the model card's "config" are generated from it.
// Defaults follow the seed's confs.json (decay 0.8 every 10 epochs, batch 10, validation 0.3,
// seed 50, 65 epochs) and TF-Slim's Inception V3 head (dropout keep 0.8, L2 4e-5), except the
// learning rate: the seed's 1e-4 fine-tuned a whole network; a head alone on frozen features
// underfits with it (taleqani, grouped split: 95.5% after 65 epochs against 99.0-99.5% with
// 3e-3 over five split seeds), so the default is 3e-3.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/settings.h"

namespace blastscan {

struct TrainConfig {
  // Real numbers are doubles, so the config and the model card print them as written (0.003,
  // not 0.003000000026077032); the trainer computes in float.
  double learning_rate = 3e-3;    // the seed: 1e-4 (see above)
  double decay_rate = 0.8;        // learning rate x decay_rate ...
  double epochs_per_decay = 10;   // ... every this many epochs (staircase)
  int batch_size = 10;
  int epochs = 65;
  double validation = 0.3;        // fraction held out when --data is a folder (not yet split)
  uint64_t seed = 50;
  double weight_decay = 4e-5;     // L2 on the head's weights
  double dropout_keep = 0.8;
  int distortions = 0;            // seeded distorted views cached per training image
  std::string class_weights = "none";  // none | auto
  int early_stopping = 0;         // stop after this many epochs without a lower validation loss; 0 = off
  std::string group_by;           // split grouping when --data is a folder: "", blocks:N or regex:...
  std::string endpoint = "auto";  // backbone end point whose features the head reads
  std::string preprocessing;      // "" = the backbone's; else inception | whole | gray (see predictor.h)
  // Fine-tuning: "" trains the head alone; an end point (e.g. Mixed_6e) also trains every
  // block above it (BatchNorm folded and frozen) at backbone_learning_rate, same schedule.
  std::string fine_tune_from;
  double backbone_learning_rate = 1e-4;  // the seed's rate, which fine-tuned a whole network
  // Fine-tuning: the head alone learns for this many epochs first, the blocks frozen (Keras'
  // fine-tuning guide: a random head's first gradients would wreck the pretrained features).
  int head_warmup_epochs = 0;
  std::string final_endpoint;     // "" = the backbone's; deeper (Mixed_7c) adds blocks, He-initialised

  bool operator==(const TrainConfig&) const = default;
};

// Every field of TrainConfig, one row each: a new setting is a field above and a row there.
const SettingTable<TrainConfig>& train_settings();
// The row whose key is `key` (e.g. "validation", for prepare's --val); throws if there is none.
const Setting<TrainConfig>& train_setting(const std::string& key);

nlohmann::json to_json(const TrainConfig& config);
// Keys missing from `json` keep their defaults. Throws InputError naming `name` and the key for
// an unknown key, a wrong type or a value out of range.
TrainConfig parse_train_config(const nlohmann::json& json, const std::string& name);
// Every row's check, and the rules between settings (final_endpoint needs fine_tune_from).
void check_train_config(const TrainConfig& config, const std::string& name);
// parse_train_config from a config file's text (JSON, // comments allowed).
TrainConfig parse_train_config_text(std::string_view text, const std::string& name);
TrainConfig load_train_config(const std::string& path);

}  // namespace blastscan
