// A blastscan model as plain data: which Inception V3 end point the backbone reaches, the
// backbone's conv weights (BatchNorm already folded in), an optional classification head and
// the class names. Loading and saving live in formats/; compute lives in inception/network.h.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace blastscan {

// One conv with BatchNorm folded in: y = relu(conv(x, weights) + bias).
struct ConvWeights {
  Tensor weights;  // HWIO [KH,KW,IC,OC]
  Tensor bias;     // [OC]
  bool operator==(const ConvWeights&) const = default;
};

// Logits/Conv2d_1c_1x1: a 1x1 conv with biases on the globally averaged features; no ReLU.
struct Head {
  Tensor weights;  // HWIO [1,1,C,K]
  Tensor biases;   // [K]
  int num_classes() const { return static_cast<int>(biases.size()); }
  bool operator==(const Head&) const = default;
};

struct Model {
  std::string endpoint;                      // deepest backbone end point, e.g. "Mixed_7a"
  std::map<std::string, ConvWeights> convs;  // by TF-Slim scope without "InceptionV3/", e.g. "Mixed_5b/Branch_1/Conv2d_0a_1x1"
  std::optional<Head> head;
  std::vector<std::string> classes;   // class names, index = class id
  std::vector<std::string> positive;  // the classes that mean "ALL detected"
  std::string preprocessing = "inception";  // a recipe's name (inception/preprocessing_recipe.h)
  // int8 calibration (blastscan quantize): the largest value of each layer's output, and of
  // "input", over the calibration images; empty when the model was never calibrated.
  std::map<std::string, float> activation_max;
  int calibration_images = 0;

  bool operator==(const Model&) const = default;
  bool is_positive(int class_id) const;
  int64_t parameter_count() const;
};

// Throws InputError("<where>: ...") unless the class names can be shown and stored as they are
// (non-empty UTF-8 without control characters: a newline broke labels.txt, an escape sequence
// reached the terminal), are unique, and every ALL class is one of them.
void check_classes(const Model& model, const std::string& where);

// Every class except the one named like benign/healthy/normal/negative/hem/0 (case-insensitive);
// empty when not exactly one class is named so.
std::vector<std::string> default_positive_classes(const std::vector<std::string>& classes);

}  // namespace blastscan
