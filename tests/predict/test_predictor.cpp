// Predictor: thresholds (equal is not LOW, as in the seed), the ALL answer, batching.
#include <gtest/gtest.h>

#include "base/error.h"
#include "inception/random_model.h"
#include "predict/predictor.h"
#include "predict/results.h"

namespace blastscan {
namespace {

// A head of zeros gives exactly uniform probabilities: 0.5 for two classes.
Model uniform_model() {
  Model m = make_random_model("Conv2d_2a_3x3", 2, 1);
  std::fill(m.head->weights.data.begin(), m.head->weights.data.end(), 0.f);
  std::fill(m.head->biases.data.begin(), m.head->biases.data.end(), 0.f);
  m.classes = {"Benign", "Pro"};
  m.positive = {"Pro"};
  return m;
}

cv::Mat gray_image() { return cv::Mat(64, 80, CV_8UC3, cv::Scalar(120, 130, 140)); }

TEST(Predictor, ConfidenceEqualToThresholdIsNotLow) {
  Predictor at(uniform_model(), {.threshold = 0.5f});
  const auto p = at.predict(gray_image());
  EXPECT_EQ(p.confidence, 0.5f);
  EXPECT_FALSE(p.low_confidence);
  Predictor above(uniform_model(), {.threshold = 0.50001f});
  EXPECT_TRUE(above.predict(gray_image()).low_confidence);
}

TEST(Predictor, AnswersAllFromThePositiveClasses) {
  Model m = uniform_model();
  m.head->biases.data = {0.f, 3.f};  // favour "Pro"
  Predictor predictor(m);
  const auto p = predictor.predict(gray_image());
  EXPECT_EQ(p.label, "Pro");
  EXPECT_TRUE(p.positive);
  EXPECT_NEAR(p.confidence, 1.f / (1.f + std::exp(-3.f)), 1e-5);
}

TEST(Predictor, BatchesGiveTheSameAnswersAsSingles) {
  const Model m = make_random_model("Conv2d_2b_3x3", 3, 9);
  Predictor single(m, {.batch = 1}), batched(m, {.batch = 4});
  std::vector<cv::Mat> images;
  for (int i = 0; i < 5; ++i) images.emplace_back(50 + 10 * i, 70, CV_8UC3, cv::Scalar(20 * i, 200 - 30 * i, 90));
  const auto a = single.predict(images), b = batched.predict(images);
  ASSERT_EQ(a.size(), 5u);
  ASSERT_EQ(b.size(), 5u);
  for (size_t i = 0; i < 5; ++i)
    for (size_t k = 0; k < 3; ++k) EXPECT_NEAR(a[i].probabilities[k], b[i].probabilities[k], 1e-6);
}

// The backbone's weights live only in the compiled network: the Predictor keeps no second
// copy (87 MB for the full network), and still answers with them and counts them.
TEST(Predictor, KeepsNoCopyOfTheBackboneWeights) {
  const Model m = make_random_model("Conv2d_2b_3x3", 3, 9);
  Predictor predictor(m);
  EXPECT_TRUE(predictor.model().convs.empty());
  EXPECT_EQ(predictor.parameter_count(), m.parameter_count());
  EXPECT_EQ(predictor.model().classes, m.classes);
  const cv::Mat image(60, 70, CV_8UC3, cv::Scalar(40, 180, 90));
  std::vector<float> input(size_t(predictor.input_size()) * predictor.input_size() * 3);
  preprocess_for_model(m, image, predictor.input_size(), input.data());
  Network reference(m, {.image_size = predictor.input_size()});  // compiled from weights still held
  const auto expected = reference.run(input.data(), 1).probabilities;
  const auto p = predictor.predict(image).probabilities;
  ASSERT_EQ(p.size(), 3u);
  for (size_t k = 0; k < 3; ++k) EXPECT_EQ(p[k], expected.data[k]);
}

TEST(Predictor, RefusesABackboneWithoutHead) {
  EXPECT_THROW(Predictor(make_random_model("Conv2d_1a_3x3", 0, 1)), InputError);
}

TEST(Results, SummaryCountsLikeTheSeed) {
  const auto row = [](std::string label, std::string truth, bool low) {
    ImageResult r;
    r.prediction = Prediction{};
    r.prediction->label = std::move(label);
    r.prediction->low_confidence = low;
    r.true_class = std::move(truth);
    return r;
  };
  std::vector<ImageResult> rows = {row("ALL", "ALL", false), row("ALL", "healthy", true), row("healthy", "healthy", true)};
  ImageResult failed;
  failed.error = "x.jpg: not an image";
  rows.push_back(failed);
  const auto s = summarize(rows);
  EXPECT_EQ(seed_summary_line(s), "2 correct, 1 incorrect, 2 low confidence: (1 correct, 1 incorrect)");
  EXPECT_EQ(s.errors, 1);
}

}  // namespace
}  // namespace blastscan
