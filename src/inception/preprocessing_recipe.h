// The evaluation preprocessings a model may carry (Model::preprocessing), one table that every
// user reads: the predictor and the trainer (data/preprocess.h runs them), the training config
// (the accepted names), `blastscan info` (the description) and the ONNX export (the numbers and
// what a caller outside blastscan must do). A model's input contract, so it lives beside the
// model; the image operations themselves are in data/.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace blastscan {

struct PreprocessingRecipe {
  std::string_view name;         // as stored in a model: "inception"
  std::string_view description;  // one line, S = the network's input side
  bool equalised_gray = false;   // first: grayscale, histogram equalisation, three equal channels
  double central_crop = 1.0;     // fraction of each side kept before the resize (1: whole image)
  bool resize_bytes = false;     // resize the 8-bit image (true) or its float values (false)
  double mean = 0, scale = 1;    // then x -> (x - mean) / scale on every RGB channel
  // Empty when mean, scale and central_crop say it all (an ONNX or OpenVINO user can set them
  // as their runtime's mean/scale/crop); otherwise the step a caller must do first, in words.
  std::string_view outside_step = {};
};

const std::vector<PreprocessingRecipe>& preprocessing_recipes();
// The recipe named `name`; throws InputError "unknown preprocessing 'x' (known: ...)".
const PreprocessingRecipe& preprocessing_recipe(std::string_view name);
// The description with S written out: "... bilinear resize to 299x299 ...".
std::string describe_preprocessing(const PreprocessingRecipe& recipe, int image_size);
// "inception, whole, gray": for messages and help.
std::string preprocessing_names();

}  // namespace blastscan
