// The one piece of state a server holds: a loaded model ready to predict, with the facts
// GET /model reports about it. Nothing about requests or clients is kept, so replicas behind
// a load balancer are interchangeable.
#pragma once
#include <filesystem>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "predict/predictor.h"
#include "predict/slide_scan.h"
#include "serve/serial_executor.h"

namespace blastscan {

class ServedModel {
 public:
  // Builds the Predictor on the compute thread, so the network's thread settings belong to it.
  // It always keeps the end point (PredictorOptions::explain), so any request may ask for a map.
  ServedModel(Model model, PredictorOptions options, std::string file_name, std::string sha256);

  // Thread-safe, first come, first served. Requests that arrive while the network is busy are
  // classified together when it is free, up to PredictorOptions::batch at once, one image per
  // network thread (throughput mode); a request alone runs as one image on every thread.
  Prediction predict(const cv::Mat& rgb);
  // The same, with the class activation map of the predicted class.
  Explanation explain(const cv::Mat& rgb);
  // A slide-sized image scanned in tiles (predict/slide_scan.h, classify's default tiling),
  // as one job: other requests wait for the whole scan.
  SlideScan scan(const cv::Mat& rgb);
  const Model& model() const { return predictor_->model(); }  // without backbone weights (predictor.h)
  int64_t parameter_count() const { return predictor_->parameter_count(); }
  float threshold() const { return predictor_->threshold(); }
  int input_size() const { return predictor_->input_size(); }

  const std::string file_name;  // the model file's name, without its folder
  const std::string sha256;     // of the model file's bytes, so clients can tell replicas' models apart

 private:
  struct Waiting {
    const cv::Mat* image;
    std::promise<Prediction>* answer;
  };
  // On compute_'s thread: classifies the requests waiting, up to a batch of them.
  void classify_waiting();

  SerialExecutor compute_;                // declared first: it outlives the predictor
  std::unique_ptr<Predictor> predictor_;  // used only on compute_'s thread
  size_t batch_ = 1;
  std::mutex waiting_mutex_;
  std::vector<Waiting> waiting_;  // in arrival order
};

// Loads a frozen model for serving. Throws InputError for a model without a classification
// head or without class names (nothing to answer with).
std::shared_ptr<ServedModel> load_served_model(const std::filesystem::path& path, const PredictorOptions& options);

}  // namespace blastscan
