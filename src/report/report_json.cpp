#include "report/report_json.h"

#include <cmath>

#include "base/float_text.h"

namespace blastscan {

using nlohmann::json;

namespace {
// NaN (an undefined ratio) as JSON null, explicitly: readers should not see a made-up number.
json number_or_null(double v) { return std::isnan(v) ? json(nullptr) : json(v); }
}  // namespace

json metrics_to_json(const Metrics& m) {
  json per_class = json::array();
  for (const auto& c : m.per_class)
    per_class.push_back({{"class", c.name},
                         {"support", c.support},
                         {"predicted", c.predicted},
                         {"precision", number_or_null(c.precision)},
                         {"recall", number_or_null(c.recall)},  // = sensitivity
                         {"specificity", number_or_null(c.specificity)},
                         {"f1", number_or_null(c.f1)},
                         {"auc", number_or_null(c.roc.auc)},
                         {"roc", {{"fpr", c.roc.fpr}, {"tpr", c.roc.tpr}}}});
  return {{"classes", m.classes},
          {"n", m.n},
          {"correct", m.correct},
          {"accuracy", number_or_null(m.accuracy)},
          {"accuracy_ci95", {m.accuracy_ci.low, m.accuracy_ci.high}},
          {"macro_f1", number_or_null(m.macro_f1)},
          {"macro_auc", number_or_null(m.macro_auc)},
          {"confusion_matrix", m.confusion},  // rows: true class, columns: predicted class
          {"per_class", per_class},
          {"low_confidence", {{"count", m.low_confidence}, {"correct", m.low_correct}, {"incorrect", m.low_incorrect}}}};
}

json epoch_history_to_json(const std::vector<EpochMetrics>& history) {
  json out = json::array();
  for (const auto& e : history) out.push_back(epoch_to_json(e));
  return out;
}

namespace {

json image_to_json(const EvaluatedImage& image, const std::vector<std::string>& classes, float threshold) {
  json probabilities = json::object();
  for (size_t k = 0; k < classes.size() && k < image.probabilities.size(); ++k)
    probabilities[classes[k]] = as_written(image.probabilities[k]);
  return {{"path", image.path},
          {"true", classes.at(size_t(image.label))},
          {"predicted", classes.at(size_t(image.predicted))},
          {"correct", image.label == image.predicted},
          {"confidence", as_written(image.confidence)},
          {"low_confidence", image.confidence < threshold},
          {"probabilities", probabilities}};
}

}  // namespace

json report_to_json(const EvaluationReport& r) {
  json wrong = json::array(), predictions = json::array();
  for (const auto* image : misclassified(r)) wrong.push_back(image_to_json(*image, r.classes, r.threshold));
  for (const auto& image : r.images) predictions.push_back(image_to_json(image, r.classes, r.threshold));
  json out = {{"model", r.model},       {"model_sha256", r.model_sha256}, {"data", r.data},
              {"split", r.split},       {"created", r.created},           {"threshold", as_written(r.threshold)},
              {"classes", r.classes},   {"positive", r.positive},         {"metrics", metrics_to_json(r.metrics)},
              {"misclassified", wrong}, {"predictions", predictions}};
  if (r.has_binary_view()) out["binary"] = metrics_to_json(r.binary);
  if (!r.history.empty()) out["training"] = epoch_history_to_json(r.history);
  return out;
}

}  // namespace blastscan
