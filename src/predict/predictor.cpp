#include "predict/predictor.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "base/error.h"
#include "data/preprocess.h"
#include "predict/class_activation_map.h"

namespace blastscan {

namespace {

constexpr int kImageSize = 299;

Model require_head(Model model) {
  if (!model.head)
    throw InputError("the model has no classification head (end point " + model.endpoint +
                     " only); train one with `blastscan train`");
  if (model.head->num_classes() < 1 || model.classes.size() != size_t(model.head->num_classes()))
    throw InputError("the model's head has " + std::to_string(model.head->num_classes()) + " outputs for " +
                     std::to_string(model.classes.size()) + " class names");
  return model;
}

}  // namespace

void preprocess_for_model(const Model& model, const cv::Mat& rgb, int size, float* dst) {
  preprocess_for_eval(preprocessing_recipe(model.preprocessing), rgb, size, dst);
}

Predictor::Predictor(Model model, PredictorOptions options)
    : model_(require_head(std::move(model))),
      options_(options),
      network_(model_, {.batch = std::max(1, options.batch),
                        .image_size = kImageSize,
                        .threads = options.threads,
                        .precision = options.precision,
                        .keep_endpoint = options.explain}),
      parameter_count_(model_.parameter_count()) {
  model_.convs.clear();
}

cv::Rect network_view(const Model& model, cv::Size size) {
  const CropBox box = central_crop_box(size.height, size.width, preprocessing_recipe(model.preprocessing).central_crop);
  return {box.x, box.y, box.width, box.height};
}

std::vector<Prediction> Predictor::predict(const std::vector<cv::Mat>& images) { return run(images, nullptr); }

std::vector<Explanation> Predictor::explain(const std::vector<cv::Mat>& images) {
  if (!options_.explain) throw Error("Predictor::explain needs PredictorOptions::explain");
  std::vector<Explanation> explanations;
  auto predictions = run(images, &explanations);
  for (size_t i = 0; i < images.size(); ++i) explanations[i].prediction = std::move(predictions[i]);
  return explanations;
}

std::vector<Prediction> Predictor::run(const std::vector<cv::Mat>& images, std::vector<Explanation>* explanations) {
  std::lock_guard lock(mutex_);
  const size_t image_floats = size_t(kImageSize) * kImageSize * 3;
  std::vector<Prediction> out;
  std::vector<float> input;
  for (size_t begin = 0; begin < images.size(); begin += size_t(network_.batch())) {
    const auto start = std::chrono::steady_clock::now();
    const size_t n = std::min(images.size() - begin, size_t(network_.batch()));
    input.resize(n * image_floats);
    for (size_t i = 0; i < n; ++i) preprocess_for_model(model_, images[begin + i], kImageSize, input.data() + i * image_floats);
    const auto result = network_.run(input.data(), int(n));
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    const int K = model_.head->num_classes();
    for (size_t i = 0; i < n; ++i) {
      Prediction p;
      const float* probs = result.probabilities.ptr() + i * size_t(K);
      // NaN is never an answer (weights are checked at load; an overflow could still make one).
      if (!std::all_of(probs, probs + K, [](float v) { return std::isfinite(v); }))
        throw Error(options_.model_name + ": the network computed a probability that is not a number (the weights " +
                    "overflow float)");
      p.probabilities.assign(probs, probs + K);
      p.class_id = int(std::max_element(probs, probs + K) - probs);
      p.label = model_.classes.at(size_t(p.class_id));
      p.confidence = probs[p.class_id];
      p.low_confidence = p.confidence < options_.threshold;
      p.positive = model_.is_positive(p.class_id);
      p.ms = ms / double(n);
      if (explanations) {
        const Tensor& e = result.endpoint;  // [n, H, W, C]
        const int H = int(e.dim(1)), W = int(e.dim(2)), C = int(e.dim(3));
        explanations->push_back({.prediction = {},
                                 .cam = class_activation_map(e.ptr() + int64_t(i) * H * W * C, H, W, C, *model_.head, p.class_id),
                                 .seen = network_view(model_, images[begin + i].size())});
      }
      out.push_back(std::move(p));
    }
  }
  return out;
}

int Predictor::input_size() const { return kImageSize; }

Prediction Predictor::predict(const cv::Mat& image) { return predict(std::vector<cv::Mat>{image}).front(); }

}  // namespace blastscan
