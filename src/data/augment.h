// Offline augmentation as the seed did it (its Data.py: resize, grayscale, histogram
// equalisation, reflections, Gaussian blur, translation, rotations), applied to the TRAINING
// split only: augmenting before the split puts near-copies of validation images into training.
// Differences from the seed, on purpose: every operation works on the resized image, so all
// outputs share one size; the blur does not smear across colour channels (scipy's
// gaussian_filter on an HxWx3 array did); rotations turn about the true centre (the seed swapped
// x and y); rotation angles are drawn independently from one seeded generator (the seed
// re-seeded before every draw, so its 20 rotations were all the same angle).
#pragma once
#include <array>
#include <random>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "base/progress.h"
#include "data/dataset.h"

namespace blastscan {

// flip_x mirrors about the horizontal axis (upside down, cv::flip 0; the seed's "horizontal"
// reflection), flip_y about the vertical axis (left-right, cv::flip 1).
enum class AugmentOp { original, gray, equalized, flip_x, flip_y, blur, shift, rotate };

struct AugmentRecipe {
  // Fixed operations, made once per source image in this order; then `rotations` rotations.
  std::vector<AugmentOp> fixed = {AugmentOp::original, AugmentOp::gray, AugmentOp::equalized, AugmentOp::flip_x,
                                  AugmentOp::flip_y,   AugmentOp::blur, AugmentOp::shift};
  int rotations = 20;
  int size = 299;              // outputs are size x size; 0 keeps each source's size
  double blur_sigma = 5.11;    // kernel reaches 4 sigma, as scipy's gaussian_filter
  int shift_x = 84, shift_y = 56;
  double min_angle = -180, max_angle = 180;  // degrees
  double rotation_scale = 0.70;
  // Uncovered border: RGB (162,159,144), the seed's OpenCV borderValue (144,159,162) in BGR.
  std::array<uint8_t, 3> fill = {162, 159, 144};
};

// The names used on the command line and in file names: original, gray, equalize, flip-x,
// flip-y, blur, shift, rotate. parse_augment_op throws InputError for any other name.
AugmentOp parse_augment_op(const std::string& name);
const char* augment_op_name(AugmentOp op);

// One output image from an RGB source. `angle` is used by rotate only.
cv::Mat augment_image(const cv::Mat& rgb, AugmentOp op, const AugmentRecipe& recipe, double angle = 0);

// What to make: per class, (source, op, angle) jobs, handed out round-robin over the class's
// sources (every source's first op, then every source's second op, ...) so that a target count
// spreads evenly. `per_class` > 0 or `factor` > 0 replaces the fixed count of
// (fixed ops + rotations) per source with that many images per class (factor x sources);
// beyond the fixed ops every further image is a rotation at a fresh angle.
struct AugmentJob {
  size_t source;  // index into the dataset's samples
  AugmentOp op;
  double angle = 0;
  int serial = 0;  // the n-th output of this source
};
std::vector<AugmentJob> plan_augmentation(const Dataset& train, const AugmentRecipe& recipe, unsigned seed,
                                          size_t per_class = 0, double factor = 0);

// Runs the jobs on `threads` threads (0 = all cores) and writes OUT/<class>/<stem>_<n>_<op>.<ext>
// (ext jpg or png), each atomically. Returns the outputs as training samples: label and group
// of their source, Sample::source pointing at it. Reports each source done to `progress`.
Dataset write_augmented(const Dataset& train, const std::vector<AugmentJob>& jobs, const AugmentRecipe& recipe,
                        const fs::path& out, const std::string& ext = "jpg", int threads = 0,
                        const ProgressFn& progress = {});

// A picture of what augmentation made: one row per class (its first source's outputs, in
// order), thumbnails of `thumb` pixels, for a quick look.
cv::Mat make_contact_sheet(const Dataset& augmented, int thumb = 96, size_t max_per_row = 27);

}  // namespace blastscan
