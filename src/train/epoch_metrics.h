// One epoch of training as it is recorded: the struct the trainer fills, and its one JSON form,
// written by the checkpoint, the model card's "history" and report.json's "training", and read
// back by --resume and by evaluate. A small header, so charts and reports include it without the
// trainer.
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace blastscan {

struct EpochMetrics {
  int epoch = 0;              // 1-based
  int64_t step = 0;           // global step after the epoch
  float learning_rate = 0.f;  // at the epoch's last step
  float train_loss = 0.f;     // mean training objective of the epoch's batches (dropout on, L2 in)
  float train_accuracy = 0.f; // of those batches' predictions
  float val_loss = 0.f;       // mean cross-entropy on validation (no dropout, no class weights)
  float val_accuracy = 0.f;
  double seconds = 0.0;
};

// Every field, floats in their shortest round-trip form (0.003, not 0.003000000026077032); read
// back they are the same floats.
nlohmann::json epoch_to_json(const EpochMetrics& epoch);
// Throws InputError "WHERE: epoch record: ..." naming a missing or mistyped field.
EpochMetrics epoch_from_json(const nlohmann::json& json, const std::string& where);

}  // namespace blastscan
