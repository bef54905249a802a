// Frozen TensorFlow GraphDef (.pb) import and export with TF-Slim names.
// Import reads weights by name for the Inception V3 topology (inception_v3.h), in both forms:
// conv + BatchNorm constants (folded here) and conv + biases. Export writes the form with
// biases: input `input` (NHWC, [-1,1]) -> ... -> InceptionV3/Predictions/Softmax and
// InceptionV3/Predictions/Reshape_1, plus the class names and metadata as string Consts.
#pragma once
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "inception/model.h"

namespace blastscan {

struct ImportOptions {
  std::string endpoint = "auto";  // "auto": the deepest end point whose weights are all present
};

// `name` is used in error messages (usually the path).
Model parse_graphdef(std::span<const uint8_t> bytes, const std::string& name, const ImportOptions& options = {});
std::vector<uint8_t> serialize_graphdef(const Model& model);

// load_model also reads a sidecar labels.txt beside the file when the .pb holds no class names.
Model load_model(const std::filesystem::path& path, const ImportOptions& options = {});
// Writes path atomically, and labels.txt beside it when the model has classes.
void save_model(const Model& model, const std::filesystem::path& path);

}  // namespace blastscan
