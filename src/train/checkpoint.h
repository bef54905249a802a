// A checkpoint of head training, written after every epoch so --resume can continue it: the
// head's parameters, Adam's moments and step, the per-epoch history and the best epoch so far,
// plus the settings and data it belongs to, so a resume with other settings or other data is
// refused instead of silently mixing two runs. Stored as CBOR (nlohmann::json's binary
// form, float arrays as raw bytes) wrapped with a SHA-256 of the payload, and written
// atomically: a truncated or corrupted file is an error, never half-loaded.
#pragma once
#include <filesystem>
#include <string>

#include "train/config.h"
#include "train/head_training.h"

namespace blastscan {

struct Checkpoint {
  TrainConfig config;
  std::string data_fingerprint;  // identifies the training and validation features
  TrainingState state;
};

void save_checkpoint(const Checkpoint& checkpoint, const std::filesystem::path& path);
// Throws InputError naming the path if it is missing, corrupt or of another format version.
Checkpoint load_checkpoint(const std::filesystem::path& path);

}  // namespace blastscan
