#include "serve/served_model.h"

#include <algorithm>

#include "base/error.h"
#include "base/hash.h"
#include "formats/graphdef.h"

namespace blastscan {

ServedModel::ServedModel(Model model, PredictorOptions options, std::string file_name, std::string sha256)
    : file_name(std::move(file_name)), sha256(std::move(sha256)), batch_(size_t(std::max(1, options.batch))) {
  options.explain = true;  // the end point's copy costs little beside the network pass
  predictor_ = compute_.run([&] { return std::make_unique<Predictor>(std::move(model), options); });
}

// Each request queues its image, then one job on the compute thread. A job takes every image
// waiting (up to a batch), so a job may find its own image already answered by an earlier one,
// or (batch full) leave it to a later one: every image is taken by some job, since there are
// as many jobs as images and each takes at least one of those waiting.
Prediction ServedModel::predict(const cv::Mat& rgb) {
  std::promise<Prediction> answer;
  auto future = answer.get_future();
  {
    std::lock_guard lock(waiting_mutex_);
    waiting_.push_back({&rgb, &answer});
  }
  compute_.run([this] { classify_waiting(); });
  return future.get();
}

void ServedModel::classify_waiting() {
  std::vector<Waiting> batch;
  {
    std::lock_guard lock(waiting_mutex_);
    const size_t n = std::min(batch_, waiting_.size());
    batch.assign(waiting_.begin(), waiting_.begin() + ptrdiff_t(n));
    waiting_.erase(waiting_.begin(), waiting_.begin() + ptrdiff_t(n));
  }
  if (batch.empty()) return;
  std::vector<cv::Mat> images;
  for (const auto& w : batch) images.push_back(*w.image);  // a header: the pixels are shared
  try {
    auto predictions = predictor_->predict(images);
    for (size_t i = 0; i < batch.size(); ++i) batch[i].answer->set_value(std::move(predictions[i]));
  } catch (...) {
    for (const auto& w : batch) w.answer->set_exception(std::current_exception());
  }
}

Explanation ServedModel::explain(const cv::Mat& rgb) {
  return compute_.run([&] { return predictor_->explain({rgb}).at(0); });
}

SlideScan ServedModel::scan(const cv::Mat& rgb) {
  return compute_.run([&] {
    const auto slide = image_slide(rgb);
    return scan_slide(*slide, *predictor_, TilingOptions{});
  });
}

std::shared_ptr<ServedModel> load_served_model(const std::filesystem::path& path, const PredictorOptions& options) {
  Model model = load_model(path);
  if (!model.head)
    throw InputError(path.string() + ": the model has no classification head (a backbone only); train one with `blastscan train`");
  if (static_cast<int>(model.classes.size()) != model.head->num_classes())
    throw InputError(path.string() + ": " + std::to_string(model.head->num_classes()) + " outputs but " +
                     std::to_string(model.classes.size()) + " class names (put a labels.txt beside the model)");
  const std::string sha256 = sha256_file_hex(path);
  return std::make_shared<ServedModel>(std::move(model), options, path.filename().string(), sha256);
}

}  // namespace blastscan
