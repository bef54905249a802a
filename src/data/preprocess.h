// Inception preprocessing: RGB uint8 image -> float NHWC tensor for the network, as TF-Slim's
// inception_preprocessing.py does it for evaluation and for training, plus the plain
// whole-image form the shared ImageNet fixtures use. Resizing is OpenCV INTER_LINEAR
// (half-pixel centres, like TF2's tf.image.resize and the fixtures), not TF1's
// resize_bilinear(align_corners=False), which samples slightly off-centre; and training
// always resizes bilinearly where TF-Slim draws one of four resize methods.
#pragma once
#include <random>
#include <string>

#include <opencv2/core.hpp>

#include "inception/preprocessing_recipe.h"

namespace blastscan {

struct CropBox {
  int x = 0, y = 0, width = 0, height = 0;
  bool operator==(const CropBox&) const = default;
};

// tf.image.central_crop: keeps `fraction` of each side (so 0.875 keeps 76.6% of the area; the
// issue text says "87.5% of the area", TF-Slim keeps 87.5% of each side and we follow TF).
// Offsets truncate as TF's int32 cast does: start = int((H - H*fraction)/2), size = H - 2*start.
CropBox central_crop_box(int height, int width, double fraction = 0.875);

// The recipe's colour step (ColourStep) on an 8-bit RGB image: a new 8-bit RGB image of the
// same size, or `rgb` itself for ColourStep::none. Training distortions start from it too.
cv::Mat normalise_colour(const PreprocessingRecipe& recipe, const cv::Mat& rgb);

// An evaluation preprocessing as its recipe states it (inception/preprocessing_recipe.h):
// its colour step (normalise_colour), central crop, bilinear resize to size x size (of the 8-bit image or
// of its float values), (x - mean)/scale. Writes size*size*3 floats (HWC, RGB).
void preprocess_for_eval(const PreprocessingRecipe& recipe, const cv::Mat& rgb, int size, float* dst);

// The recipes by name:
// "inception", TF-Slim evaluation: central crop keeping 87.5% of each side, resize, x/127.5 - 1.
void preprocess_inception(const cv::Mat& rgb, int size, float* dst);
// "whole", the shared ImageNet fixtures': the whole image, resize of the 8-bit image, (x-128)/128;
// equal to cv::dnn::blobFromImage(bgr, 1/128., {size,size}, 128, swapRB).
void preprocess_whole(const cv::Mat& rgb, int size, float* dst);
// "gray", stain-colour invariant: grayscale, histogram equalisation, back to three equal
// channels (equalised_gray), then as inception. Slides stained or lit differently look alike to it.
cv::Mat equalised_gray(const cv::Mat& rgb);
void preprocess_gray(const cv::Mat& rgb, int size, float* dst);

// TF-Slim's training distortions (preprocess_for_train, fast_mode=False, color ordering drawn
// from the four TF-Slim orderings). Defaults are TF-Slim's, with one difference: TF-Slim also
// passes min_object_covered=0.1 for the whole-image box, which lifts its smallest crop from the
// stated 5% to 10% of the area; we keep the 5%-100% range as stated.
struct Distortions {
  double min_area = 0.05, max_area = 1.0;       // of the image area
  double min_aspect = 3.0 / 4, max_aspect = 4.0 / 3;  // width / height
  int max_attempts = 100;                        // then the whole image, as TF falls back
  bool flip = true;                              // random left-right flip
  float brightness = 32.f / 255;                 // +- delta on [0,1] values
  float saturation_lo = 0.5f, saturation_hi = 1.5f;
  float hue = 0.2f;                              // +- delta, in turns of the colour wheel
  float contrast_lo = 0.5f, contrast_hi = 1.5f;
};

// A random crop of a height x width image: area uniform in [min_area, max_area] of the image,
// aspect ratio uniform in [min_aspect, max_aspect], position uniform; the whole image if no
// such box fits within max_attempts draws.
CropBox sample_crop_box(int height, int width, const Distortions& d, std::mt19937& rng);

// One distorted training view: random crop, bilinear resize to size x size, random flip,
// brightness/saturation/hue/contrast in a random one of TF-Slim's orders, clip to [0,1], scale
// to [-1,1]. Writes size*size*3 floats. Same rng state -> same output.
void preprocess_inception_train(const cv::Mat& rgb, int size, std::mt19937& rng, float* dst,
                                const Distortions& d = {});

}  // namespace blastscan
