#include "inception/preprocessing_recipe.h"

#include "base/error.h"

namespace blastscan {

const std::vector<PreprocessingRecipe>& preprocessing_recipes() {
  static const std::vector<PreprocessingRecipe> recipes = {
      {.name = "inception",
       .description = "RGB; central crop keeping 87.5% of each side; bilinear resize to SxS; x/127.5 - 1 (range [-1,1])",
       .central_crop = 0.875,
       .mean = 127.5,
       .scale = 127.5},
      {.name = "whole",
       .description = "RGB; whole image; bilinear resize of the 8-bit image to SxS; (x - 128)/128",
       .resize_bytes = true,
       .mean = 128,
       .scale = 128},
      {.name = "gray",
       .description = "grayscale (0.299 R + 0.587 G + 0.114 B), histogram equalisation, copied to 3 channels; "
                      "then as inception: central crop 87.5% of each side, bilinear resize to SxS, x/127.5 - 1",
       .equalised_gray = true,
       .central_crop = 0.875,
       .mean = 127.5,
       .scale = 127.5,
       .outside_step = "before mean/scale/crop: convert the 8-bit RGB image to gray (Y = 0.299 R + 0.587 G + "
                       "0.114 B, rounded, as OpenCV COLOR_RGB2GRAY), equalise its histogram (OpenCV "
                       "equalizeHist), copy it to all three channels"},
  };
  return recipes;
}

std::string describe_preprocessing(const PreprocessingRecipe& recipe, int image_size) {
  std::string words(recipe.description);
  const std::string side = std::to_string(image_size);
  for (size_t at; (at = words.find("SxS")) != std::string::npos;) words.replace(at, 3, side + "x" + side);
  return words;
}

std::string preprocessing_names() {
  std::string names;
  for (const auto& r : preprocessing_recipes()) names += (names.empty() ? "" : ", ") + std::string(r.name);
  return names;
}

const PreprocessingRecipe& preprocessing_recipe(std::string_view name) {
  for (const auto& r : preprocessing_recipes())
    if (r.name == name) return r;
  throw InputError("unknown preprocessing '" + std::string(name) + "' (known: " + preprocessing_names() + ")");
}

}  // namespace blastscan
