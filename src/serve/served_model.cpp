#include "serve/served_model.h"

#include "base/error.h"
#include "base/hash.h"
#include "formats/graphdef.h"

namespace blastscan {

ServedModel::ServedModel(Model model, PredictorOptions options, std::string file_name, std::string sha256)
    : file_name(std::move(file_name)), sha256(std::move(sha256)) {
  options.explain = true;  // the end point's copy costs little beside the network pass
  predictor_ = compute_.run([&] { return std::make_unique<Predictor>(std::move(model), options); });
}

Prediction ServedModel::predict(const cv::Mat& rgb) {
  return compute_.run([&] { return predictor_->predict(rgb); });
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
