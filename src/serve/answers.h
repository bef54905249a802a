// The JSON bodies the server answers with, kept apart from the HTTP transport so their wording
// can be tested directly. Field names and messages follow the seed's Flask server, so its
// clients keep working: Response, Classification, aClassification, Confidence, Message.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "serve/served_model.h"

namespace blastscan {

// The seed's sentence: "ALL detected with a confidence of 0.97 in 0.052" (the time in
// seconds), "ALL not detected with ...", and "a LOW confidence of" below the threshold.
std::string inference_message(const Prediction& prediction, double seconds);

// POST /Inference: the seed's fields (strings, as the seed sent them) plus label,
// probabilities (class name -> number, in class order), low_confidence, all_detected, time_ms.
nlohmann::ordered_json inference_answer(const Prediction& prediction, const Model& model, double seconds);

// GET /model: file, sha256, end point, classes, ALL classes, threshold, input and output.
nlohmann::ordered_json model_answer(const ServedModel& served);

// Every error: {"Response": "ERROR", "Message": message}.
nlohmann::ordered_json error_answer(const std::string& message);

}  // namespace blastscan
