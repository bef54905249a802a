// report.json: the evaluation as machine-readable JSON (metrics, confusion matrix, ROC curves,
// misclassified images, every prediction, the training history if known). NaN ratios are null.
#pragma once
#include <nlohmann/json.hpp>

#include "report/evaluation_report.h"

namespace blastscan {

nlohmann::json metrics_to_json(const Metrics& metrics);
nlohmann::json epoch_history_to_json(const std::vector<EpochMetrics>& history);
nlohmann::json report_to_json(const EvaluationReport& report);

}  // namespace blastscan
