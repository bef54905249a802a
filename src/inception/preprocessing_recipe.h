// The evaluation preprocessings a model may carry (Model::preprocessing), one table that every
// user reads: the predictor and the trainer (data/preprocess.h runs them), the training config
// (the accepted names), `blastscan info` (the description) and the ONNX export (the numbers and
// what a caller outside blastscan must do). A model's input contract, so it lives beside the
// model; the image operations themselves are in data/.
#pragma once
#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace blastscan {

// What a recipe does to the 8-bit RGB image first, to take the stain and the light of one
// acquisition batch out of the picture (data/preprocess.h normalise_colour does it with OpenCV).
enum class ColourStep {
  none,
  equalised_gray,    // grayscale, histogram equalisation, three equal channels
  clahe_gray,        // grayscale, contrast-limited adaptive equalisation (clahe_*), three equal channels
  reinhard_lab,      // Reinhard et al. 2001: each CIE Lab channel standardised to lab_mean/lab_sd
  background_white,  // white balance: each channel scaled so its white_percentile lands on white_level
};

struct PreprocessingRecipe {
  std::string_view name;         // as stored in a model: "inception"
  std::string_view description;  // one line, S = the network's input side
  ColourStep colour_step = ColourStep::none;
  // reinhard_lab's reference, in OpenCV's float Lab (L 0..100, a and b about -100..100)
  std::array<double, 3> lab_mean = {}, lab_sd = {};
  double white_percentile = 0, white_level = 0;  // background_white: a fraction, an 8-bit level
  double clahe_clip = 0;                         // clahe_gray: OpenCV's clip limit
  int clahe_tiles = 0;                           // clahe_gray: tiles per side
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
// "inception, whole, gray, ...": for messages and help.
std::string preprocessing_names();

}  // namespace blastscan
