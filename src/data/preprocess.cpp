// Sources: tensorflow/models research/slim/preprocessing/inception_preprocessing.py
// (preprocess_for_eval, preprocess_for_train, distort_color) and tf.image.central_crop.
#include "data/preprocess.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "base/error.h"
#include "base/rng.h"

namespace blastscan {

namespace {

void check_input(const cv::Mat& rgb, int size) {
  if (rgb.type() != CV_8UC3 || rgb.empty()) throw Error("preprocess: expected a non-empty 8-bit RGB image");
  if (size <= 0) throw Error("preprocess: output size must be positive");
}

// dst viewed as a size x size float RGB image, so OpenCV writes straight into it.
cv::Mat wrap_output(float* dst, int size) { return cv::Mat(size, size, CV_32FC3, dst); }

// ---- colour distortions on a float RGB image with values around [0,1] (TF's adjust_*).
void adjust_brightness(cv::Mat& img, float delta) { img += cv::Scalar::all(delta); }

void adjust_contrast(cv::Mat& img, float factor) {  // per channel, about the channel mean
  const cv::Scalar mean = cv::mean(img);
  img = (img - mean) * factor + mean;
}

// OpenCV's float HSV has H in degrees [0,360), S and V as fractions, like TF's rgb_to_hsv
// up to the unit of H.
template <class Edit>
void edit_hsv(cv::Mat& img, Edit edit) {
  cv::Mat hsv;
  cv::cvtColor(img, hsv, cv::COLOR_RGB2HSV);
  hsv.forEach<cv::Vec3f>([&](cv::Vec3f& p, const int*) { edit(p); });
  cv::cvtColor(hsv, img, cv::COLOR_HSV2RGB);
}

void adjust_saturation(cv::Mat& img, float factor) {
  edit_hsv(img, [factor](cv::Vec3f& p) { p[1] = std::clamp(p[1] * factor, 0.f, 1.f); });
}

void adjust_hue(cv::Mat& img, float delta) {
  const float degrees = delta * 360.f;
  edit_hsv(img, [degrees](cv::Vec3f& p) { p[0] = std::fmod(p[0] + degrees + 360.f, 360.f); });
}

// distort_color: each adjustment drawn once, applied in one of TF-Slim's four orders.
void distort_color(cv::Mat& img, const Distortions& d, std::mt19937& rng) {
  const float brightness = static_cast<float>(uniform(rng, -d.brightness, d.brightness));
  const float saturation = static_cast<float>(uniform(rng, d.saturation_lo, d.saturation_hi));
  const float hue = static_cast<float>(uniform(rng, -d.hue, d.hue));
  const float contrast = static_cast<float>(uniform(rng, d.contrast_lo, d.contrast_hi));
  auto b = [&] { adjust_brightness(img, brightness); };
  auto s = [&] { adjust_saturation(img, saturation); };
  auto h = [&] { adjust_hue(img, hue); };
  auto c = [&] { adjust_contrast(img, contrast); };
  switch (uniform_int(rng, 4)) {
    case 0: b(); s(); h(); c(); break;
    case 1: s(); b(); c(); h(); break;
    case 2: c(); h(); b(); s(); break;
    default: h(); s(); c(); b(); break;
  }
}

}  // namespace

CropBox central_crop_box(int height, int width, double fraction) {
  // TF computes the start in float and casts to int32 (truncation).
  const int y = static_cast<int>((height - height * fraction) / 2);
  const int x = static_cast<int>((width - width * fraction) / 2);
  return {x, y, width - 2 * x, height - 2 * y};
}

void preprocess_for_eval(const PreprocessingRecipe& recipe, const cv::Mat& rgb, int size, float* dst) {
  check_input(rgb, size);
  const cv::Mat source = normalise_colour(recipe, rgb);
  const CropBox box = central_crop_box(source.rows, source.cols, recipe.central_crop);
  // TF-Slim converts to float before resizing ("inception"); blobFromImage resizes the 8-bit
  // image, then converts ("whole"): each recipe says which, to match its reference's numbers.
  cv::Mat crop = source(cv::Rect(box.x, box.y, box.width, box.height)), resized;
  if (!recipe.resize_bytes) crop.convertTo(crop, CV_32F);
  cv::resize(crop, resized, cv::Size(size, size), 0, 0, cv::INTER_LINEAR);
  cv::Mat out = wrap_output(dst, size);
  resized.convertTo(out, CV_32F, 1.0 / recipe.scale, -recipe.mean / recipe.scale);
}

void preprocess_inception(const cv::Mat& rgb, int size, float* dst) {
  preprocess_for_eval(preprocessing_recipe("inception"), rgb, size, dst);
}

void preprocess_whole(const cv::Mat& rgb, int size, float* dst) {
  preprocess_for_eval(preprocessing_recipe("whole"), rgb, size, dst);
}

cv::Mat equalised_gray(const cv::Mat& rgb) {
  cv::Mat gray, equalised, rgb_again;
  cv::cvtColor(rgb, gray, cv::COLOR_RGB2GRAY);
  cv::equalizeHist(gray, equalised);
  cv::cvtColor(equalised, rgb_again, cv::COLOR_GRAY2RGB);
  return rgb_again;
}

namespace {

cv::Mat clahe_gray(const cv::Mat& rgb, double clip, int tiles) {
  cv::Mat gray, equalised, rgb_again;
  cv::cvtColor(rgb, gray, cv::COLOR_RGB2GRAY);
  cv::createCLAHE(clip, cv::Size(tiles, tiles))->apply(gray, equalised);
  cv::cvtColor(equalised, rgb_again, cv::COLOR_GRAY2RGB);
  return rgb_again;
}

// Reinhard, Ashikhmin, Gooch, Shirley, "Color transfer between images" (2001), in CIE Lab (the
// paper's lαβ is a close relative; Lab is what OpenCV converts to and stain work uses). Float
// Lab, so an 8-bit round trip does not quantise a and b first. A channel without spread (a
// flat image) is moved to the reference mean, not divided by zero.
cv::Mat reinhard_lab(const cv::Mat& rgb, const std::array<double, 3>& ref_mean, const std::array<double, 3>& ref_sd) {
  cv::Mat unit, lab;
  rgb.convertTo(unit, CV_32F, 1.0 / 255.0);
  cv::cvtColor(unit, lab, cv::COLOR_RGB2Lab);
  cv::Scalar mean, sd;
  cv::meanStdDev(lab, mean, sd);
  std::vector<cv::Mat> channels;
  cv::split(lab, channels);
  for (size_t c = 0; c < 3; ++c) {
    const double gain = sd[int(c)] > 1e-6 ? ref_sd[c] / sd[int(c)] : 1.0;
    channels[c].convertTo(channels[c], CV_32F, gain, ref_mean[c] - mean[int(c)] * gain);
  }
  cv::merge(channels, lab);
  cv::cvtColor(lab, unit, cv::COLOR_Lab2RGB);
  cv::Mat out;
  unit.convertTo(out, CV_8UC3, 255.0);  // rounds and saturates
  return out;
}

// The smallest level with at least `fraction` of the pixels at or below it.
int channel_percentile(const cv::Mat& channel, double fraction) {
  cv::Mat hist;
  const int bins = 256, channel_index = 0;
  const float range[] = {0, 256};
  const float* ranges = range;
  cv::calcHist(&channel, 1, &channel_index, cv::Mat(), hist, 1, &bins, &ranges);
  const double wanted = fraction * double(channel.total());
  double seen = 0;
  for (int level = 0; level < bins; ++level)
    if ((seen += hist.at<float>(level)) >= wanted) return level;
  return bins - 1;
}

// Between the cells of a smear lies bare background (plasma, glass): the brightest part of the
// picture, white under a neutral lamp. A high percentile finds it without segmenting, and
// scaling each channel to put it on one level removes the lamp's and the stain's cast.
cv::Mat background_white(const cv::Mat& rgb, double percentile, double level) {
  std::vector<cv::Mat> channels;
  cv::split(rgb, channels);
  for (auto& channel : channels)
    channel.convertTo(channel, CV_8U, level / std::max(1, channel_percentile(channel, percentile)));
  cv::Mat out;
  cv::merge(channels, out);
  return out;
}

}  // namespace

cv::Mat normalise_colour(const PreprocessingRecipe& recipe, const cv::Mat& rgb) {
  switch (recipe.colour_step) {
    case ColourStep::none: return rgb;
    case ColourStep::equalised_gray: return equalised_gray(rgb);
    case ColourStep::clahe_gray: return clahe_gray(rgb, recipe.clahe_clip, recipe.clahe_tiles);
    case ColourStep::reinhard_lab: return reinhard_lab(rgb, recipe.lab_mean, recipe.lab_sd);
    case ColourStep::background_white: return background_white(rgb, recipe.white_percentile, recipe.white_level);
  }
  return rgb;
}

void preprocess_gray(const cv::Mat& rgb, int size, float* dst) {
  preprocess_for_eval(preprocessing_recipe("gray"), rgb, size, dst);
}

CropBox sample_crop_box(int height, int width, const Distortions& d, std::mt19937& rng) {
  const double image_area = double(height) * width;
  for (int attempt = 0; attempt < d.max_attempts; ++attempt) {
    const double area = image_area * uniform(rng, d.min_area, d.max_area);
    const double aspect = uniform(rng, d.min_aspect, d.max_aspect);
    const int w = static_cast<int>(std::lround(std::sqrt(area * aspect)));
    const int h = static_cast<int>(std::lround(std::sqrt(area / aspect)));
    if (w < 1 || h < 1 || w > width || h > height) continue;
    const int x = uniform_int(rng, width - w + 1);
    const int y = uniform_int(rng, height - h + 1);
    return {x, y, w, h};
  }
  return {0, 0, width, height};
}

void preprocess_inception_train(const cv::Mat& rgb, int size, std::mt19937& rng, float* dst, const Distortions& d) {
  check_input(rgb, size);
  const CropBox box = sample_crop_box(rgb.rows, rgb.cols, d, rng);
  cv::Mat crop, img;
  rgb(cv::Rect(box.x, box.y, box.width, box.height)).convertTo(crop, CV_32F, 1.0 / 255.0);
  cv::resize(crop, img, cv::Size(size, size), 0, 0, cv::INTER_LINEAR);
  if (d.flip && uniform_int(rng, 2) == 1) cv::flip(img, img, 1);
  distort_color(img, d, rng);
  cv::Mat out = wrap_output(dst, size);
  // clip to [0,1], then (x - 0.5) * 2
  cv::min(img, 1.0, img);
  cv::max(img, 0.0, img);
  img.convertTo(out, CV_32F, 2.0, -1.0);
}

}  // namespace blastscan
