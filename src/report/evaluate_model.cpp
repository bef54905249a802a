#include "report/evaluate_model.h"

#include <algorithm>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "base/error.h"
#include "base/file_io.h"
#include "base/hash.h"
#include "data/image.h"
#include "predict/head_scoring.h"
#include "predict/predictor.h"
#include "report/cam_overlay.h"
#include "train/timestamp.h"

namespace blastscan {

namespace {

constexpr int kThumbnailSide = 150;  // pixels; the gallery's pictures are squares this size

std::string encode_jpeg(const cv::Mat& rgb) {
  cv::Mat bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  std::vector<uint8_t> jpeg;
  cv::imencode(".jpg", bgr, jpeg, {cv::IMWRITE_JPEG_QUALITY, 80});
  return {jpeg.begin(), jpeg.end()};
}

// A square JPEG of the whole image, small enough to inline dozens in one page.
std::string make_thumbnail_jpeg(const std::filesystem::path& path) {
  cv::Mat small;
  cv::resize(load_image(path), small, cv::Size(kThumbnailSide, kThumbnailSide), 0, 0, cv::INTER_AREA);
  return encode_jpeg(small);
}

// The gallery's images beside their class activation maps. The scores above came from cached
// features, which hold no map: the full network runs once more on the misclassified images the
// page shows and explains the class it predicts (the same answer, within float precision).
void add_gallery_cams(const Model& model, const EvaluateRequest& request, EvaluationReport& r) {
  const auto wrong = misclassified(r);
  if (wrong.empty()) return;
  Predictor predictor(model, {.threshold = request.threshold,
                              .batch = 1,
                              .threads = request.extract.threads,
                              .explain = true,
                              .precision = request.extract.precision});
  for (size_t i = 0; i < wrong.size() && i < kGalleryImages; ++i) {
    EvaluatedImage& image = r.images[size_t(wrong[i] - r.images.data())];
    const cv::Mat rgb = load_image(image.path);
    const Explanation e = predictor.explain({rgb}).at(0);
    const CamRange range = cam_range(e.cam);
    image.cam_jpeg = encode_jpeg(render_cam_thumbnail(rgb, e.cam, e.seen, {kThumbnailSide, kThumbnailSide}));
    image.cam_class = e.prediction.class_id;
    image.cam_low = float(range.low);
    image.cam_high = float(range.high);
  }
}

void check_positive(const std::vector<std::string>& positive, const std::vector<std::string>& classes) {
  for (const auto& name : positive)
    if (std::find(classes.begin(), classes.end(), name) == classes.end())
      throw InputError("--positive: the model has no class named '" + name + "'");
}

}  // namespace

std::vector<EpochMetrics> load_training_history(const std::filesystem::path& run_dir) {
  std::vector<EpochMetrics> history;
  const auto card_path = run_dir / "model_card.json";
  if (run_dir.empty() || !std::filesystem::exists(card_path)) return history;
  const auto card = nlohmann::json::parse(read_text_file(card_path), nullptr, false);
  if (card.is_discarded() || !card.contains("history") || !card["history"].is_array())
    throw InputError(card_path.string() + ": not a blastscan model card");
  for (const auto& e : card["history"]) history.push_back(epoch_from_json(e, card_path.string()));
  return history;
}

EvaluationReport evaluate_model(const Model& model, const Dataset& images, const EvaluateRequest& request,
                                ExtractStats* stats) {
  if (!model.head) throw InputError(request.model_path.string() + ": the model has no classification head");
  if (images.classes != model.classes)
    throw InputError(request.data_name + ": classes differ from the model's (the data's labels must name the model's classes in the same order)");
  EvaluationReport r;
  r.model = request.model_path.string();
  r.model_sha256 = sha256_file_hex(request.model_path);
  r.data = request.data_name;
  r.split = request.split;
  r.created = iso_time_now();
  r.threshold = request.threshold;
  r.classes = model.classes;
  check_positive(request.positive, model.classes);
  r.positive = request.positive.empty() ? model.positive : request.positive;

  std::vector<std::filesystem::path> paths;
  for (const auto& s : images.samples) paths.push_back(s.path);
  ExtractOptions extract = request.extract;
  extract.distortions = 0;
  const std::vector<float> features = extract_features(model, paths, extract, stats);

  const std::vector<float> probabilities = score_features(*model.head, features, paths.size());
  const size_t K = r.classes.size();
  for (size_t i = 0; i < paths.size(); ++i) {
    const float* p = probabilities.data() + i * K;
    EvaluatedImage image;
    image.path = paths[i].string();
    image.label = images.samples[i].label;
    image.predicted = int(std::max_element(p, p + K) - p);
    image.confidence = p[image.predicted];
    image.probabilities.assign(p, p + K);
    r.images.push_back(std::move(image));
  }
  for (auto& image : r.images)
    if (image.label != image.predicted) image.thumbnail_jpeg = make_thumbnail_jpeg(image.path);
  add_gallery_cams(model, request, r);
  r.history = load_training_history(request.run_dir);
  compute_report_metrics(r);
  return r;
}

}  // namespace blastscan
