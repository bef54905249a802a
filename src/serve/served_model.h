// The one piece of state a server holds: a loaded model ready to predict, with the facts
// GET /model reports about it. Nothing about requests or clients is kept, so replicas behind
// a load balancer are interchangeable.
#pragma once
#include <filesystem>
#include <memory>
#include <string>

#include "predict/predictor.h"

namespace blastscan {

struct ServedModel {
  ServedModel(Model model, PredictorOptions options, std::string file_name, std::string sha256)
      : predictor(std::move(model), options), file_name(std::move(file_name)), sha256(std::move(sha256)) {}

  Predictor predictor;    // thread-safe
  std::string file_name;  // the model file's name, without its folder
  std::string sha256;     // of the model file's bytes, so clients can tell replicas' models apart
};

// Loads a frozen model for serving. Throws InputError for a model without a classification
// head or without class names (nothing to answer with).
std::shared_ptr<ServedModel> load_served_model(const std::filesystem::path& path, const PredictorOptions& options);

}  // namespace blastscan
