// Classification of decoded images with a loaded model: preprocessing, the compiled network,
// the threshold and the ALL / not-ALL answer. A pure function of (model, images); thread-safe
// (one network run at a time behind a mutex), so the server can share one Predictor.
#pragma once
#include <mutex>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "inception/network.h"

namespace blastscan {

struct Prediction {
  int class_id = -1;
  std::string label;
  float confidence = 0.f;            // the top probability
  std::vector<float> probabilities;  // per class
  bool low_confidence = false;       // confidence < threshold (equal is not LOW, as in the seed)
  bool positive = false;             // the class means "ALL detected"
  double ms = 0.0;                   // preprocessing + network time for this image
};

// Confidence below which a prediction is flagged LOW: the seed's 0.8. Every default threshold
// (classify, evaluate, serve, reports) is this one.
inline constexpr float kDefaultThreshold = 0.8f;

struct PredictorOptions {
  float threshold = kDefaultThreshold;
  int batch = 1;
  int threads = 0;       // 0 = all cores
  bool explain = false;  // keep the end point's activations, so explain() can run
  Precision precision = Precision::f32;
  std::string model_name = "the model";  // names the model in errors (its file)
};

// Why the network answered as it did: the exact class activation map of the predicted class
// (class_activation_map.h) and the part of the image the network's input covered.
struct Explanation {
  Prediction prediction;
  cv::Mat cam;   // CV_32F [H, W] at the end point, in logit units
  cv::Rect seen; // in image pixels: the central crop, or the whole image
};

// The evaluation preprocessing the model was trained with: the recipe named by
// Model::preprocessing (inception/preprocessing_recipe.h). Writes size*size*3 floats.
void preprocess_for_model(const Model& model, const cv::Mat& rgb, int size, float* dst);
// The region of an image of `size` that preprocess_for_model feeds the network.
cv::Rect network_view(const Model& model, cv::Size size);

class Predictor {
 public:
  // Throws InputError if the model has no classification head.
  Predictor(Model model, PredictorOptions options = {});
  // images: RGB uint8. Runs in batches of options.batch.
  std::vector<Prediction> predict(const std::vector<cv::Mat>& images);
  Prediction predict(const cv::Mat& image);
  // Needs PredictorOptions::explain; throws Error otherwise.
  std::vector<Explanation> explain(const std::vector<cv::Mat>& images);
  // The model's description: classes, head, preprocessing, calibration. Its backbone weights
  // are not kept here (their oneDNN-laid-out copies live in the compiled network): 87 MB less
  // for the full network, so model().convs is empty.
  const Model& model() const { return model_; }
  int64_t parameter_count() const { return parameter_count_; }  // the backbone's and the head's
  float threshold() const { return options_.threshold; }
  int input_size() const;  // the network's input side, in pixels

 private:
  // Runs images in batches; fills explanations too when given (then every field but prediction).
  std::vector<Prediction> run(const std::vector<cv::Mat>& images, std::vector<Explanation>* explanations);

  Model model_;
  PredictorOptions options_;
  std::mutex mutex_;
  Network network_;
  int64_t parameter_count_ = 0;
};

}  // namespace blastscan
