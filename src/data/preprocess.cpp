// Sources: tensorflow/models research/slim/preprocessing/inception_preprocessing.py
// (preprocess_for_eval, preprocess_for_train, distort_color) and tf.image.central_crop.
#include "data/preprocess.h"

#include <algorithm>
#include <cmath>

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
  const cv::Mat source = recipe.equalised_gray ? equalised_gray(rgb) : rgb;
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
