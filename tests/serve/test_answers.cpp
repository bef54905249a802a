// The JSON answers' wording and fields, checked without HTTP: the seed's sentences, LOW
// exactly below the threshold, and the extra fields in class order.
#include <gtest/gtest.h>

#include "inception/random_model.h"
#include "serve/answers.h"

namespace blastscan {
namespace {

Prediction make_prediction(int class_id, std::vector<float> probabilities, bool low, bool positive) {
  Prediction p;
  p.class_id = class_id;
  p.label = class_id == 0 ? "healthy" : "ALL";
  p.probabilities = std::move(probabilities);
  p.confidence = p.probabilities[size_t(class_id)];
  p.low_confidence = low;
  p.positive = positive;
  return p;
}

TEST(ServeAnswers, MessagesUseTheSeedsFourSentences) {
  EXPECT_EQ(inference_message(make_prediction(1, {0.25f, 0.75f}, false, true), 0.0521),
            "ALL detected with a confidence of 0.75 in 0.052");
  EXPECT_EQ(inference_message(make_prediction(0, {0.75f, 0.25f}, false, false), 1.5),
            "ALL not detected with a confidence of 0.75 in 1.500");
  EXPECT_EQ(inference_message(make_prediction(1, {0.375f, 0.625f}, true, true), 0.25),
            "ALL detected with a LOW confidence of 0.625 in 0.250");
  EXPECT_EQ(inference_message(make_prediction(0, {0.5f, 0.5f}, true, false), 0.25),
            "ALL not detected with a LOW confidence of 0.5 in 0.250");
}

TEST(ServeAnswers, InferenceAnswerHasTheSeedsFieldsAsStringsAndTheNewOnesAsNumbers) {
  Model model;
  model.classes = {"healthy", "ALL"};
  const auto answer = inference_answer(make_prediction(1, {0.125f, 0.875f}, false, true), model, 0.04);
  EXPECT_EQ(answer["Response"], "OK");
  EXPECT_EQ(answer["Classification"], "ALL");
  EXPECT_EQ(answer["aClassification"], "1");
  EXPECT_EQ(answer["Confidence"], "0.875");
  EXPECT_EQ(answer["Message"], "ALL detected with a confidence of 0.875 in 0.040");
  EXPECT_EQ(answer["label"], "ALL");
  EXPECT_EQ(answer["low_confidence"], false);
  EXPECT_EQ(answer["all_detected"], true);
  EXPECT_DOUBLE_EQ(answer["time_ms"].get<double>(), 40.0);
  // Probabilities keyed by class name, in class order.
  ASSERT_EQ(answer["probabilities"].size(), 2u);
  EXPECT_EQ(answer["probabilities"].begin().key(), "healthy");
  EXPECT_FLOAT_EQ(answer["probabilities"]["healthy"].get<float>(), 0.125f);
  EXPECT_FLOAT_EQ(answer["probabilities"]["ALL"].get<float>(), 0.875f);
}

TEST(ServeAnswers, ModelAnswerDescribesTheServedModel) {
  Model model = make_random_model("Conv2d_1a_3x3", 2, 3);
  model.classes = {"healthy", "ALL"};
  model.positive = {"ALL"};
  const ServedModel served(model, {.threshold = 0.7f, .threads = 1}, "m.pb", "abc123");
  const auto answer = model_answer(served);
  EXPECT_EQ(answer["file"], "m.pb");
  EXPECT_EQ(answer["sha256"], "abc123");
  EXPECT_EQ(answer["endpoint"], "Conv2d_1a_3x3");
  EXPECT_EQ(answer["classes"], nlohmann::json({"healthy", "ALL"}));
  EXPECT_EQ(answer["positive"], nlohmann::json({"ALL"}));
  EXPECT_FLOAT_EQ(answer["threshold"].get<float>(), 0.7f);
  EXPECT_EQ(answer["parameters"], model.parameter_count());
  EXPECT_EQ(answer["input"]["name"], "input");
  EXPECT_EQ(answer["input"]["layout"], "NHWC");
}

TEST(ServeAnswers, ErrorsHaveTheSeedsShape) {
  EXPECT_EQ(error_answer("bad").dump(), R"({"Response":"ERROR","Message":"bad"})");
}

}  // namespace
}  // namespace blastscan
