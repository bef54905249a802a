#include "serve/answers.h"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "base/error.h"
#include "base/float_text.h"
#include "predict/slide_json.h"

namespace blastscan {

std::string inference_message(const Prediction& prediction, double seconds) {
  return fmt::format("ALL {}detected with a {}confidence of {} in {:.3f}", prediction.positive ? "" : "not ",
                     prediction.low_confidence ? "LOW " : "", prediction.confidence, seconds);
}

nlohmann::ordered_json inference_answer(const Prediction& prediction, const Model& model, double seconds) {
  nlohmann::ordered_json probabilities = nlohmann::ordered_json::object();
  for (size_t k = 0; k < prediction.probabilities.size(); ++k)
    probabilities[k < model.classes.size() ? model.classes[k] : std::to_string(k)] = as_written(prediction.probabilities[k]);
  return {
      {"Response", "OK"},
      {"Classification", prediction.label},
      {"aClassification", std::to_string(prediction.class_id)},
      {"Confidence", fmt::format("{}", prediction.confidence)},
      {"Message", inference_message(prediction, seconds)},
      {"label", prediction.label},
      {"probabilities", probabilities},
      {"low_confidence", prediction.low_confidence},
      {"all_detected", prediction.positive},
      {"time_ms", seconds * 1000.0},
  };
}

nlohmann::ordered_json slide_answer(const SlideScan& scan, const Model& model, double seconds) {
  if (!scan.prediction) throw Error("slide_answer: the scan classified no tile");
  nlohmann::ordered_json answer = inference_answer(*scan.prediction, model, seconds);
  answer["slide"] = slide_scan_json(scan, model);
  return answer;
}

nlohmann::ordered_json cam_answer(const Explanation& e) {
  std::vector<float> values;
  for (int y = 0; y < e.cam.rows; ++y) values.insert(values.end(), e.cam.ptr<float>(y), e.cam.ptr<float>(y) + e.cam.cols);
  const auto [low, high] = std::minmax_element(values.begin(), values.end());
  return {{"class", e.prediction.label},
          {"width", e.cam.cols},
          {"height", e.cam.rows},
          {"values", as_written(values)},
          {"low", values.empty() ? 0.0 : as_written(*low)},
          {"high", values.empty() ? 0.0 : as_written(*high)},
          {"box", {{"x", e.seen.x}, {"y", e.seen.y}, {"width", e.seen.width}, {"height", e.seen.height}}}};
}

nlohmann::ordered_json answer_image(ServedModel& served, const cv::Mat& rgb, bool explain, double seconds_so_far) {
  const auto start = std::chrono::steady_clock::now();
  const auto seconds = [&] {
    return seconds_so_far + std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  const Model& model = served.model();
  if (is_slide_sized(rgb.size(), served.input_size())) {
    const SlideScan scan = served.scan(rgb);
    if (!scan.prediction)
      throw InputError(fmt::format("a {}x{} image is scanned in tiles, and all {} tiles are background (no stained "
                                   "cells); nothing to classify",
                                   rgb.cols, rgb.rows, scan.summary.total));
    return slide_answer(scan, model, seconds());
  }
  if (!explain) {
    const Prediction prediction = served.predict(rgb);
    return inference_answer(prediction, model, seconds());
  }
  const Explanation explanation = served.explain(rgb);
  nlohmann::ordered_json answer = inference_answer(explanation.prediction, model, seconds());
  answer["cam"] = cam_answer(explanation);
  return answer;
}

nlohmann::ordered_json model_answer(const ServedModel& served) {
  const Model& model = served.model();
  return {
      {"file", served.file_name},
      {"sha256", served.sha256},
      {"endpoint", model.endpoint},
      {"classes", model.classes},
      {"positive", model.positive},
      {"threshold", as_written(served.threshold())},  // 0.8, not 0.800000011920929
      {"parameters", served.parameter_count()},
      {"input",
       {{"name", "input"}, {"shape", {-1, 299, 299, 3}}, {"layout", "NHWC"}, {"type", "float32"},
        {"preprocessing", model.preprocessing}}},
      {"output", "InceptionV3/Predictions/Softmax"},
  };
}

nlohmann::ordered_json error_answer(const std::string& message) {
  return {{"Response", "ERROR"}, {"Message", message}};
}

}  // namespace blastscan
