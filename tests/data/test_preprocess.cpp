// Inception preprocessing: crop geometry against TF's arithmetic, resizing of a linear gradient
// against the closed-form answer, the fixtures' preprocessing against cv::dnn::blobFromImage,
// and the ranges and reproducibility of the training distortions.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

#include "base/error.h"
#include "data/preprocess.h"

using namespace blastscan;

namespace {

// A horizontal gradient: every channel equals 2*x (x < 128), rows identical.
cv::Mat gradient_image(int h, int w) {
  cv::Mat img(h, w, CV_8UC3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) img.at<cv::Vec3b>(y, x) = cv::Vec3b::all(uint8_t(2 * x));
  return img;
}

std::pair<float, float> min_max(const std::vector<float>& v) {
  auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  return {*lo, *hi};
}

}  // namespace

TEST(CentralCrop, MatchesTensorFlowArithmetic) {
  // start = int((H - 0.875 H) / 2), size = H - 2 start
  EXPECT_EQ(central_crop_box(224, 224), (CropBox{14, 14, 196, 196}));
  EXPECT_EQ(central_crop_box(299, 299), (CropBox{18, 18, 263, 263}));
  EXPECT_EQ(central_crop_box(100, 50), (CropBox{3, 6, 44, 88}));
  EXPECT_EQ(central_crop_box(1944, 2592), (CropBox{162, 121, 2268, 1702}));
  EXPECT_EQ(central_crop_box(10, 10, 1.0), (CropBox{0, 0, 10, 10}));
}

TEST(PreprocessInception, ResizesTheCentralCropOfAGradientLinearly) {
  // Width 128 -> crop x in [8, 120) (112 columns) -> resized to 56: each output column j
  // samples crop column (j + 0.5) * 2 - 0.5 = 2j + 0.5, i.e. source value 2 * (8 + 2j + 0.5).
  const int size = 56;
  const cv::Mat img = gradient_image(64, 128);
  std::vector<float> out(size * size * 3);
  preprocess_inception(img, size, out.data());
  for (int y : {0, 27, 55})
    for (int j = 0; j < size; ++j) {
      const double pixel = 2.0 * (8 + 2 * j + 0.5);
      for (int c = 0; c < 3; ++c)
        ASSERT_NEAR(out[(y * size + j) * 3 + c], pixel / 127.5 - 1, 1e-5) << "y " << y << " x " << j;
    }
}

TEST(PreprocessInception, ScalesToMinusOneOne) {
  std::vector<float> out(8 * 8 * 3);
  for (int value : {0, 255}) {
    preprocess_inception(cv::Mat(20, 30, CV_8UC3, cv::Scalar::all(value)), 8, out.data());
    auto [lo, hi] = min_max(out);
    EXPECT_NEAR(lo, value / 127.5 - 1, 1e-6);
    EXPECT_NEAR(hi, value / 127.5 - 1, 1e-6);
  }
}

TEST(PreprocessInception, KeepsRgbOrder) {
  std::vector<float> out(4 * 4 * 3);
  preprocess_inception(cv::Mat(20, 20, CV_8UC3, cv::Scalar(255, 0, 51)), 4, out.data());
  EXPECT_FLOAT_EQ(out[0], 1.f);
  EXPECT_FLOAT_EQ(out[1], -1.f);
  EXPECT_NEAR(out[2], 51 / 127.5 - 1, 1e-6);
}

TEST(PreprocessWhole, EqualsBlobFromImage) {
  cv::Mat rgb(113, 157, CV_8UC3);
  cv::randu(rgb, 0, 256);
  cv::Mat bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  const int size = 299;
  const cv::Mat blob = cv::dnn::blobFromImage(bgr, 1 / 128., cv::Size(size, size), cv::Scalar::all(128), true, false);
  std::vector<float> out(size * size * 3);
  preprocess_whole(rgb, size, out.data());
  const float* nchw = blob.ptr<float>();
  double max_diff = 0;
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < size * size; ++i)
      max_diff = std::max(max_diff, double(std::abs(nchw[c * size * size + i] - out[i * 3 + c])));
  EXPECT_EQ(max_diff, 0.0);
}

TEST(PreprocessGray, IgnoresStainColourAndBrightness) {
  // The same scene under another stain colour and exposure: a monotonic change of every
  // channel. Histogram equalisation of the gray image undoes it (up to rounding).
  const cv::Mat scene = gradient_image(120, 90);
  cv::Mat tinted;
  scene.convertTo(tinted, CV_8UC3, 0.6, 40);
  cv::add(tinted, cv::Scalar(30, 0, 20), tinted);
  std::vector<float> a(299 * 299 * 3), b(a.size()), plain(a.size());
  preprocess_gray(scene, 299, a.data());
  preprocess_gray(tinted, 299, b.data());
  preprocess_inception(scene, 299, plain.data());
  double diff = 0, plain_diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff = std::max(diff, double(std::abs(a[i] - b[i])));
    plain_diff = std::max(plain_diff, double(std::abs(plain[i] - b[i])));
  }
  EXPECT_LT(diff, 0.05);        // a couple of gray levels of rounding
  EXPECT_GT(plain_diff, 0.3);   // without it the tint shows
  EXPECT_EQ(a[0], a[1]);        // three equal channels
  EXPECT_EQ(a[1], a[2]);
}

// A smear-like scene: light background, pink red cells, one purple nucleus, some texture.
cv::Mat smear_scene() {
  cv::Mat img(96, 112, CV_8UC3, cv::Scalar(226, 214, 220));
  for (int i = 0; i < 9; ++i)
    cv::circle(img, {12 + 11 * i, 14 + (i % 3) * 34}, 10, cv::Scalar(205, 150, 160), cv::FILLED);
  cv::circle(img, {56, 50}, 20, cv::Scalar(120, 80, 170), cv::FILLED);
  cv::Mat noise(img.size(), CV_8UC3);
  cv::randn(noise, cv::Scalar::all(0), cv::Scalar::all(6));
  cv::add(img, noise, img);
  return img;
}

// What another acquisition batch makes of the same scene: another lamp (a gain per channel)
// and another stain strength (a little darker and bluer).
cv::Mat other_batch(const cv::Mat& rgb) {
  std::vector<cv::Mat> channels;
  cv::split(rgb, channels);
  const double gain[3] = {0.82, 0.9, 1.05}, offset[3] = {-6, -2, 4};
  for (size_t c = 0; c < 3; ++c) channels[c].convertTo(channels[c], CV_8U, gain[c], offset[c]);
  cv::Mat out;
  cv::merge(channels, out);
  return out;
}

double mean_abs_diff(const cv::Mat& a, const cv::Mat& b) {
  cv::Mat diff;
  cv::absdiff(a, b, diff);
  const cv::Scalar m = cv::mean(diff);
  return (m[0] + m[1] + m[2]) / 3;
}

// The colour-normalising recipes make the two batches' pictures of one scene nearly the same
// pixels, where the plain ones differ by ~26 levels on average; and the step is not the
// identity. The gray recipes are only partly invariant to this (a gain per channel changes
// the gray mix of each colour differently: 5.4 and 3.7 levels): their own tests are beside.
TEST(ColourNormalisation, TwoBatchesOfOneSceneComeOutAlike) {
  const cv::Mat scene = smear_scene(), shifted = other_batch(scene);
  const double raw = mean_abs_diff(scene, shifted);
  EXPECT_GT(raw, 20.0);
  for (const char* name : {"reinhard", "white-balance"}) {
    const PreprocessingRecipe& recipe = preprocessing_recipe(name);
    const cv::Mat a = normalise_colour(recipe, scene), b = normalise_colour(recipe, shifted);
    EXPECT_LT(mean_abs_diff(a, b), 2.5) << name << " (plain: " << raw << ")";
    EXPECT_GT(mean_abs_diff(a, scene), 3.0) << name << " changed nothing";
  }
}

// gray-clahe: three equal channels, and a darker, lower-contrast exposure of the scene comes
// out closer to the original than in plain gray (the clip limit restores only part of the
// contrast: that is what it is for).
TEST(ColourNormalisation, GrayClaheUndoesExposure) {
  const PreprocessingRecipe& recipe = preprocessing_recipe("gray-clahe");
  const cv::Mat scene = smear_scene();
  cv::Mat darker, gray_scene, gray_darker;
  scene.convertTo(darker, CV_8UC3, 0.6, 40);
  cv::cvtColor(scene, gray_scene, cv::COLOR_RGB2GRAY);
  cv::cvtColor(darker, gray_darker, cv::COLOR_RGB2GRAY);
  const cv::Mat a = normalise_colour(recipe, scene), b = normalise_colour(recipe, darker);
  const double plain = mean_abs_diff(gray_scene, gray_darker), normalised = mean_abs_diff(a, b);
  EXPECT_LT(normalised, plain / 2) << "plain gray differs by " << plain;  // 5.5 against 12.7
  std::vector<cv::Mat> channels;
  cv::split(a, channels);
  EXPECT_EQ(cv::norm(channels[0], channels[1], cv::NORM_INF), 0);
  EXPECT_EQ(cv::norm(channels[1], channels[2], cv::NORM_INF), 0);
}

// Reinhard moves every image's Lab statistics onto the recipe's reference.
TEST(ColourNormalisation, ReinhardLandsOnItsReference) {
  const PreprocessingRecipe& recipe = preprocessing_recipe("reinhard");
  for (const cv::Mat& image : {smear_scene(), other_batch(smear_scene())}) {
    cv::Mat unit, lab;
    normalise_colour(recipe, image).convertTo(unit, CV_32F, 1.0 / 255.0);
    cv::cvtColor(unit, lab, cv::COLOR_RGB2Lab);
    cv::Scalar mean, sd;
    cv::meanStdDev(lab, mean, sd);
    for (int c = 0; c < 3; ++c) {
      EXPECT_NEAR(mean[c], recipe.lab_mean[size_t(c)], 0.6) << "channel " << c;
      EXPECT_NEAR(sd[c], recipe.lab_sd[size_t(c)], 0.6) << "channel " << c;
    }
  }
}

// The white balance puts each channel's 99th percentile on 220: the background becomes neutral.
TEST(ColourNormalisation, WhiteBalanceMakesTheBackgroundNeutral) {
  const cv::Mat balanced = normalise_colour(preprocessing_recipe("white-balance"), other_batch(smear_scene()));
  const cv::Vec3b background = balanced.at<cv::Vec3b>(95, 111);  // a corner: no cell there
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(background[c], 212, 12) << "channel " << c;
}

// Every recipe of the table runs by name, and its numbers are what it does: an image of one
// level comes out of the colour step as one colour v (per channel), and then as (v - mean)/scale
// (gray's equalisation leaves a one-level image as it is: OpenCV's equalizeHist maps a single
// level to itself; the recipes without a colour step keep v = 100).
TEST(PreprocessingRecipes, EveryRecipeRunsAsItsNumbersSay) {
  const cv::Mat flat(40, 30, CV_8UC3, cv::Scalar::all(100));
  std::vector<float> out(8 * 8 * 3);
  for (const auto& recipe : preprocessing_recipes()) {
    preprocess_for_eval(preprocessing_recipe(recipe.name), flat, 8, out.data());
    const cv::Mat normalised = normalise_colour(recipe, flat);
    ASSERT_EQ(normalised.size(), flat.size()) << recipe.name;
    ASSERT_EQ(normalised.type(), CV_8UC3) << recipe.name;
    const cv::Vec3b v = normalised.at<cv::Vec3b>(0, 0);
    if (recipe.colour_step == ColourStep::none || recipe.colour_step == ColourStep::equalised_gray) {
      EXPECT_EQ(v, cv::Vec3b::all(100)) << recipe.name;
    }
    for (size_t i = 0; i < out.size(); ++i)
      ASSERT_NEAR(out[i], (v[int(i % 3)] - recipe.mean) / recipe.scale, 1e-6) << recipe.name << " at " << i;
    EXPECT_NE(describe_preprocessing(recipe, 8).find("8x8"), std::string::npos) << recipe.name;
  }
  EXPECT_EQ(preprocessing_names(), "inception, whole, gray, gray-clahe, reinhard, white-balance");
  try {
    preprocessing_recipe("sepia");
    FAIL() << "sepia accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("'sepia' (known: inception, whole, gray, gray-clahe, reinhard, white-balance)"), std::string::npos) << e.what();
  }
}

TEST(CropSampling, BoxesRespectAreaAndAspectRanges) {
  std::mt19937 rng(50);
  const Distortions d;
  double smallest = 1, largest = 0;
  for (int i = 0; i < 2000; ++i) {
    const CropBox b = sample_crop_box(300, 400, d, rng);
    ASSERT_GE(b.x, 0);
    ASSERT_GE(b.y, 0);
    ASSERT_LE(b.x + b.width, 400);
    ASSERT_LE(b.y + b.height, 300);
    const double area = double(b.width) * b.height / (300.0 * 400.0);
    const double aspect = double(b.width) / b.height;
    // rounding to whole pixels moves area and aspect a little off the drawn values
    ASSERT_GE(area, 0.05 * 0.95);
    ASSERT_LE(area, 1.0);
    ASSERT_GE(aspect, 0.75 * 0.97);
    ASSERT_LE(aspect, 4.0 / 3 * 1.03);
    smallest = std::min(smallest, area);
    largest = std::max(largest, area);
  }
  EXPECT_LT(smallest, 0.07);  // the whole range is used
  EXPECT_GT(largest, 0.8);
}

TEST(CropSampling, FallsBackToTheWholeImage) {
  Distortions d;
  d.min_aspect = d.max_aspect = 10;  // a 10:1 box never fits a square at >= 50% area
  d.min_area = 0.5;
  std::mt19937 rng(1);
  EXPECT_EQ(sample_crop_box(100, 100, d, rng), (CropBox{0, 0, 100, 100}));
}

TEST(PreprocessTrain, StaysInRangeAndRepeatsWithTheSeed) {
  cv::Mat img(120, 160, CV_8UC3);
  cv::randu(img, 0, 256);
  const int size = 64;
  std::vector<float> a(size * size * 3), b(a.size()), c(a.size());
  std::mt19937 r1(7), r2(7), r3(8);
  preprocess_inception_train(img, size, r1, a.data());
  preprocess_inception_train(img, size, r2, b.data());
  preprocess_inception_train(img, size, r3, c.data());
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  for (const auto& v : {a, c}) {
    auto [lo, hi] = min_max(v);
    EXPECT_GE(lo, -1.f);
    EXPECT_LE(hi, 1.f);
  }
}

TEST(PreprocessTrain, WithoutDistortionsItIsAResizeOrItsMirror) {
  Distortions none;
  none.min_area = none.max_area = 1;
  none.min_aspect = none.max_aspect = 1;
  none.brightness = none.hue = 0;
  none.saturation_lo = none.saturation_hi = none.contrast_lo = none.contrast_hi = 1;
  const cv::Mat img = gradient_image(64, 64);
  const int size = 32;
  std::vector<float> out(size * size * 3);
  int flipped = 0;
  std::mt19937 rng(3);
  for (int trial = 0; trial < 20; ++trial) {
    preprocess_inception_train(img, size, rng, out.data(), none);
    // columns sample source column 2j + 0.5, value 2 * (2j + 0.5); mirrored when flipped
    const bool mirror = out[(5 * size) * 3 + 1] > out[(5 * size + 1) * 3 + 1];
    flipped += mirror;
    for (int j = 0; j < size; ++j) {
      const int col = mirror ? size - 1 - j : j;
      ASSERT_NEAR(out[(5 * size + col) * 3 + 1], 2.0 * (2 * j + 0.5) / 127.5 - 1, 1e-4);
    }
  }
  EXPECT_GT(flipped, 0);
  EXPECT_LT(flipped, 20);
}

TEST(PreprocessTrain, ColourDistortionsChangeColoursWithinBounds) {
  Distortions colour_only;
  colour_only.min_area = colour_only.max_area = 1;
  colour_only.min_aspect = colour_only.max_aspect = 1;
  colour_only.flip = false;
  const cv::Mat img(32, 32, CV_8UC3, cv::Scalar(200, 60, 90));
  std::vector<float> out(16 * 16 * 3);
  std::mt19937 rng(11);
  int changed = 0;
  for (int trial = 0; trial < 10; ++trial) {
    preprocess_inception_train(img, 16, rng, out.data(), colour_only);
    changed += std::abs(out[0] - (200 / 127.5f - 1)) > 1e-3f;
    auto [lo, hi] = min_max(out);
    EXPECT_GE(lo, -1.f);
    EXPECT_LE(hi, 1.f);
  }
  EXPECT_EQ(changed, 10);
}
