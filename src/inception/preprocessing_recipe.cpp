#include "inception/preprocessing_recipe.h"

#include "base/error.h"

namespace blastscan {

// A recipe's numbers belong to its name: feature caches and models know a recipe by name only,
// so a change of numbers needs a new name.
const std::vector<PreprocessingRecipe>& preprocessing_recipes() {
  // TF-Slim's evaluation numbers (crop, resize of the float image, scaling to [-1,1]), after the
  // recipe's colour step if it has one.
  const auto then_inception = [](PreprocessingRecipe recipe) {
    recipe.central_crop = 0.875;
    recipe.mean = recipe.scale = 127.5;
    return recipe;
  };
  static const std::vector<PreprocessingRecipe> recipes = {
      then_inception({.name = "inception",
                      .description = "RGB; central crop keeping 87.5% of each side; bilinear resize to SxS; "
                                     "x/127.5 - 1 (range [-1,1])"}),
      {.name = "whole",
       .description = "RGB; whole image; bilinear resize of the 8-bit image to SxS; (x - 128)/128",
       .resize_bytes = true,
       .mean = 128,
       .scale = 128},
      then_inception({.name = "gray",
                      .description = "grayscale (0.299 R + 0.587 G + 0.114 B), histogram equalisation, copied to 3 "
                                     "channels; then as inception: central crop 87.5% of each side, bilinear resize "
                                     "to SxS, x/127.5 - 1",
                      .colour_step = ColourStep::equalised_gray,
                      .outside_step = "before mean/scale/crop: convert the 8-bit RGB image to gray (Y = 0.299 R + "
                                      "0.587 G + 0.114 B, rounded, as OpenCV COLOR_RGB2GRAY), equalise its histogram "
                                      "(OpenCV equalizeHist), copy it to all three channels"}),
      // The three below take the colour of an acquisition batch out (ALL-IDB2's blocks of
      // numbers differ in stain and light); README "Colour normalisation" says which one won.
      then_inception({.name = "gray-clahe",
                      .description = "grayscale, contrast-limited adaptive histogram equalisation (clip 2, 8x8 "
                                     "tiles), copied to 3 channels; then as inception: central crop 87.5% of each "
                                     "side, bilinear resize to SxS, x/127.5 - 1",
                      .colour_step = ColourStep::clahe_gray,
                      .clahe_clip = 2,
                      .clahe_tiles = 8,
                      .outside_step = "before mean/scale/crop: convert the 8-bit RGB image to gray (OpenCV "
                                      "COLOR_RGB2GRAY), equalise it with OpenCV createCLAHE(2.0, 8x8 tiles), copy it "
                                      "to all three channels"}),
      // The reference is the mean, over the images of all_idb2_lowres's grouped training split
      // (seed 50), of each image's Lab mean and standard deviation.
      then_inception({.name = "reinhard",
                      .description = "Reinhard colour transfer: each CIE Lab channel of the image standardised to "
                                     "the reference mean (54, 8, -1) and deviation (12, 11.5, 14); then as "
                                     "inception: central crop 87.5% of each side, bilinear resize to SxS, x/127.5 - 1",
                      .colour_step = ColourStep::reinhard_lab,
                      .lab_mean = {54, 8, -1},
                      .lab_sd = {12, 11.5, 14},
                      .outside_step = "before mean/scale/crop: convert the RGB image (as floats in [0,1]) to CIE Lab "
                                      "(OpenCV COLOR_RGB2Lab: L 0..100), set each channel c to (c - its mean)/(its "
                                      "standard deviation) * (12, 11.5, 14) + (54, 8, -1), convert back to RGB and "
                                      "round to 8 bits (clipping)"}),
      then_inception({.name = "white-balance",
                      .description = "white balance on the smear's background: each RGB channel scaled so that its "
                                     "99th percentile becomes 220; then as inception: central crop 87.5% of each "
                                     "side, bilinear resize to SxS, x/127.5 - 1",
                      .colour_step = ColourStep::background_white,
                      .white_percentile = 0.99,
                      .white_level = 220,
                      .outside_step = "before mean/scale/crop: multiply each channel of the 8-bit RGB image by 220 / "
                                      "(its 99th percentile, the smallest level with at least 99% of the pixels at or "
                                      "below it), rounding and clipping to 8 bits"}),
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
