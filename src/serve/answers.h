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

// POST /Inference for a decoded image, computed on the served model: an ordinary image gets
// inference_answer (with "cam" when explain is asked for: POST /Inference?explain=1); a
// slide-sized image (predict/slide_scan.h's is_slide_sized, as classify decides) is scanned in
// tiles and gets slide_answer. seconds_so_far: the time spent on the request before (decoding).
// Throws InputError when every tile of a slide is background.
nlohmann::ordered_json answer_image(ServedModel& served, const cv::Mat& rgb, bool explain, double seconds_so_far);

// A scanned slide: inference_answer of the slide's answer (the seed's fields keep working; the
// class, confidence and ALL call follow the slide rule of predict/slide_scan.h), plus "slide":
// its size, source, "tile_counts" and "tiles" (boxes in image pixels, ALL probability and
// per-class probabilities of each classified tile), as classify --heatmap's NAME.tiles.json.
nlohmann::ordered_json slide_answer(const SlideScan& scan, const Model& model, double seconds);

// "cam": the class activation map of the predicted class (predict/class_activation_map.h):
// {"class", "width", "height", "values": width*height numbers row by row in logit units,
// "low", "high": their range, "box": {"x", "y", "width", "height"}, the part of the image the
// network saw, which the map covers}.
nlohmann::ordered_json cam_answer(const Explanation& explanation);

// GET /model: file, sha256, end point, classes, ALL classes, threshold, input and output.
nlohmann::ordered_json model_answer(const ServedModel& served);

// Every error: {"Response": "ERROR", "Message": message}.
nlohmann::ordered_json error_answer(const std::string& message);

}  // namespace blastscan
