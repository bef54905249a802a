// The JSON answers' wording and fields, checked without HTTP: the seed's sentences, LOW
// exactly below the threshold, the extra fields in class order, and what an image gets: the
// seed's answer for an ordinary one (with its class activation map when asked), the slide's
// answer and tile list for a slide-sized one, each against a Predictor run directly.
#include <gtest/gtest.h>

#include <cmath>

#include "base/error.h"
#include "base/safe_text.h"
#include "common/result_text.h"
#include "common/smear_image.h"
#include "data/slide_source.h"
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

TEST(ServeAnswers, ProbabilitiesPrintAsTheFloatsTheyAre) {
  Model model;
  model.classes = {"healthy", "ALL"};
  const auto answer = inference_answer(make_prediction(1, {0.003f, 0.997f}, false, true), model, 0.04);
  const std::string text = json_text(answer);
  EXPECT_NE(text.find(R"("probabilities":{"healthy":0.003,"ALL":0.997})"), std::string::npos) << text;
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

// ---- answer_image: what POST /Inference answers for a decoded image

Model two_class_model() {
  Model model = make_random_model("Conv2d_2a_3x3", 2, 17);
  model.classes = {"healthy", "ALL"};
  model.positive = {"ALL"};
  return model;
}

std::vector<std::string> keys_of(const nlohmann::ordered_json& j) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : j.items()) keys.push_back(key);
  return keys;
}

const std::vector<std::string> kSeedCompatibleKeys = {"Response", "Classification", "aClassification", "Confidence",
                                                      "Message",  "label",          "probabilities",   "low_confidence",
                                                      "all_detected", "time_ms"};

TEST(ServeAnswers, ASlideSizedImageIsScannedInTilesAndAnsweredWithTheSeedsFieldsAndItsTiles) {
  const PredictorOptions options{.threshold = 0.5f, .threads = 1};
  ServedModel served(two_class_model(), options, "m.pb", "sha");
  const cv::Mat rgb = testing::smear_image({700, 420}, 300);  // more than twice 299 wide
  const auto answer = answer_image(served, rgb, /*explain=*/true, 0.0);  // explain: for single images only

  Predictor direct(two_class_model(), options);
  const SlideScan scan = scan_slide(*image_slide(rgb), direct, TilingOptions{});
  ASSERT_TRUE(scan.prediction);
  std::vector<std::string> keys = kSeedCompatibleKeys;
  keys.push_back("slide");
  EXPECT_EQ(keys_of(answer), keys);  // the seed's answer, then the slide's
  EXPECT_EQ(answer["Response"], "OK");
  EXPECT_EQ(answer["Classification"], scan.prediction->label);
  EXPECT_EQ(answer["all_detected"], scan.prediction->positive);
  EXPECT_NEAR(std::stof(answer["Confidence"].get<std::string>()), scan.prediction->confidence, 1e-6);
  EXPECT_EQ(answer["Message"].get<std::string>().rfind(scan.prediction->positive ? "ALL detected" : "ALL not detected", 0), 0u);
  const auto& slide = answer["slide"];
  EXPECT_EQ(slide["width"], 700);
  EXPECT_EQ(slide["height"], 420);
  EXPECT_EQ(slide["tile_counts"]["total"], 6);  // x 0, 299, 401; y 0, 121
  EXPECT_EQ(slide["tile_counts"]["classified"], scan.summary.classified);
  EXPECT_GE(int(slide["tile_counts"]["background"]), 2);  // the right part has no cells
  EXPECT_GE(int(slide["tile_counts"]["classified"]), 1);
  ASSERT_EQ(slide["tiles"].size(), scan.tiles.size());
  for (size_t i = 0; i < scan.tiles.size(); ++i) {
    const auto& t = slide["tiles"][i];
    const TileResult& want = scan.tiles[i];
    EXPECT_EQ(cv::Rect(t["x"], t["y"], t["width"], t["height"]), want.box) << i;
    EXPECT_EQ(t["background"], want.background) << i;
    if (want.background) continue;
    EXPECT_NEAR(t["all_probability"].get<float>(), want.all_probability, 1e-6) << i;
    EXPECT_NEAR(t["probabilities"]["ALL"].get<float>(), want.probabilities[1], 1e-6) << i;
  }
  // Floats as the shortest text that reads back as them, not widened to 17 digits.
  EXPECT_EQ(testing::widened_floats(json_text(answer), {"probabilities", "all_probability", "score", "confidence"}),
            std::vector<std::string>{});
}

TEST(ServeAnswers, AnOrdinaryImageKeepsTheSeedsAnswerAndExplainAddsTheClassActivationMap) {
  const PredictorOptions options{.threshold = 0.5f, .threads = 1};
  ServedModel served(two_class_model(), options, "m.pb", "sha");
  const cv::Mat rgb = testing::smear_image({240, 200}, 240, 90);
  const auto plain = answer_image(served, rgb, false, 0.0);
  EXPECT_EQ(keys_of(plain), kSeedCompatibleKeys);
  const auto explained = answer_image(served, rgb, true, 0.0);
  std::vector<std::string> keys = kSeedCompatibleKeys;
  keys.push_back("cam");
  EXPECT_EQ(keys_of(explained), keys);
  EXPECT_EQ(explained["Classification"], plain["Classification"]);
  EXPECT_EQ(explained["probabilities"], plain["probabilities"]);

  Predictor direct(two_class_model(), {.threshold = 0.5f, .threads = 1, .explain = true});
  const Explanation want = direct.explain({rgb}).at(0);
  const auto& cam = explained["cam"];
  EXPECT_EQ(cam["class"], want.prediction.label);
  ASSERT_EQ(cam["width"], want.cam.cols);  // Conv2d_2a_3x3 of a 299 input: 147
  ASSERT_EQ(cam["height"], want.cam.rows);
  ASSERT_EQ(cam["values"].size(), size_t(want.cam.total()));
  double low = INFINITY, high = -INFINITY;
  for (int y = 0; y < want.cam.rows; ++y)
    for (int x = 0; x < want.cam.cols; ++x) {
      const float v = want.cam.at<float>(y, x);
      ASSERT_NEAR(cam["values"][size_t(y * want.cam.cols + x)].get<float>(), v, 1e-5f * std::max(1.f, std::abs(v)));
      low = std::min(low, double(v)), high = std::max(high, double(v));
    }
  EXPECT_NEAR(cam["low"].get<double>(), low, 1e-5 * std::max(1.0, std::abs(low)));
  EXPECT_NEAR(cam["high"].get<double>(), high, 1e-5 * std::max(1.0, std::abs(high)));
  EXPECT_EQ(cv::Rect(cam["box"]["x"], cam["box"]["y"], cam["box"]["width"], cam["box"]["height"]), want.seen);
  EXPECT_EQ(want.seen, network_view(served.model(), rgb.size()));  // the central crop
  EXPECT_EQ(testing::widened_floats(json_text(explained), {"probabilities", "values", "low", "high"}),
            std::vector<std::string>{});
}

TEST(ServeAnswers, ASlideWithoutStainedCellsIsABadRequest) {
  ServedModel served(two_class_model(), {.threads = 1}, "m.pb", "sha");
  try {
    answer_image(served, testing::smear_image({700, 420}, 0), false, 0.0);
    FAIL() << "a slide of background only was answered";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("700x420 image is scanned in tiles, and all 6 tiles are background"),
              std::string::npos)
        << e.what();
  }
}

TEST(ServeAnswers, ErrorsHaveTheSeedsShape) {
  EXPECT_EQ(error_answer("bad").dump(), R"({"Response":"ERROR","Message":"bad"})");
}

}  // namespace
}  // namespace blastscan
