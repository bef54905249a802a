#include "serve/answers.h"

#include <fmt/format.h>

#include "base/float_text.h"

namespace blastscan {

std::string inference_message(const Prediction& prediction, double seconds) {
  return fmt::format("ALL {}detected with a {}confidence of {} in {:.3f}", prediction.positive ? "" : "not ",
                     prediction.low_confidence ? "LOW " : "", prediction.confidence, seconds);
}

nlohmann::ordered_json inference_answer(const Prediction& prediction, const Model& model, double seconds) {
  nlohmann::ordered_json probabilities = nlohmann::ordered_json::object();
  for (size_t k = 0; k < prediction.probabilities.size(); ++k)
    probabilities[k < model.classes.size() ? model.classes[k] : std::to_string(k)] = prediction.probabilities[k];
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

nlohmann::ordered_json model_answer(const ServedModel& served) {
  const Model& model = served.model();
  return {
      {"file", served.file_name},
      {"sha256", served.sha256},
      {"endpoint", model.endpoint},
      {"classes", model.classes},
      {"positive", model.positive},
      {"threshold", as_written(served.threshold())},  // 0.8, not 0.800000011920929
      {"parameters", model.parameter_count()},
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
