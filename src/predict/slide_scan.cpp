#include "predict/slide_scan.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "base/error.h"
#include "predict/tile_grid.h"

namespace blastscan {

namespace {

float all_probability(const Model& model, const std::vector<float>& probabilities) {
  float p = 0.f;
  for (size_t k = 0; k < probabilities.size(); ++k)
    if (model.is_positive(int(k))) p += probabilities[k];
  return p;
}

// The most probable class among those with is_positive(k) == positive, or -1 if there is none.
int top_class(const Model& model, const std::vector<float>& probabilities, bool positive) {
  int best = -1;
  for (size_t k = 0; k < probabilities.size(); ++k)
    if (model.is_positive(int(k)) == positive && (best < 0 || probabilities[k] > probabilities[size_t(best)])) best = int(k);
  return best;
}

// Paints a tile into the downscaled overview (neighbours overlap with the same pixels).
void draw_into_overview(cv::Mat& overview, double scale, const cv::Rect& box, const cv::Mat& pixels) {
  const int x0 = int(std::floor(box.x * scale)), y0 = int(std::floor(box.y * scale));
  const int x1 = std::min(overview.cols, int(std::ceil(box.br().x * scale)));
  const int y1 = std::min(overview.rows, int(std::ceil(box.br().y * scale)));
  if (x1 <= x0 || y1 <= y0) return;
  cv::Mat dst = overview(cv::Rect(x0, y0, x1 - x0, y1 - y0));
  cv::resize(pixels, dst, dst.size(), 0, 0, cv::INTER_AREA);
}

// Keeps the `count` hottest explained tiles, hottest first (ties: grid order), so a scan holds
// at most count + one batch of them.
void keep_hottest(SlideScan& scan, size_t count) {
  const auto hotter = [&](const ExplainedTile& a, const ExplainedTile& b) {
    const float pa = scan.tiles[a.tile].all_probability, pb = scan.tiles[b.tile].all_probability;
    return pa != pb ? pa > pb : a.tile < b.tile;
  };
  std::sort(scan.explained.begin(), scan.explained.end(), hotter);
  if (scan.explained.size() > count) scan.explained.erase(scan.explained.begin() + long(count), scan.explained.end());
}

}  // namespace

bool is_slide_sized(cv::Size image, int input_size) {
  return image.width > 2 * input_size || image.height > 2 * input_size;
}

std::optional<Prediction> slide_verdict(const std::vector<TileResult>& tiles, const Model& model, float threshold,
                                        int min_all_tiles) {
  const TileResult* hottest = nullptr;
  int all_tiles = 0;
  for (const auto& tile : tiles) {
    if (tile.background) continue;
    all_tiles += tile.all_probability >= threshold;
    if (!hottest || tile.all_probability > hottest->all_probability) hottest = &tile;
  }
  if (!hottest) return std::nullopt;
  Prediction p;
  p.positive = all_tiles >= min_all_tiles;
  p.probabilities = hottest->probabilities;
  p.class_id = top_class(model, p.probabilities, p.positive);
  if (p.class_id < 0) {  // a model whose classes all mean ALL, or none does: the tile's own answer
    p.class_id = hottest->class_id;
    p.positive = model.is_positive(p.class_id);
  }
  p.label = model.classes.at(size_t(p.class_id));
  p.confidence = p.positive ? hottest->all_probability : 1.f - hottest->all_probability;
  p.low_confidence = p.confidence < threshold;
  return p;
}

SlideScan scan_slide(SlideSource& slide, Predictor& predictor, const TilingOptions& options, const TileProgress& progress) {
  if (options.size < 1 || options.stride < 0 || options.batch < 1 || options.min_all_tiles < 1)
    throw InputError("tiling: the tile size, tile batch and minimum ALL tiles must be >= 1 and the stride >= 0");
  const auto start = std::chrono::steady_clock::now();
  SlideScan scan;
  scan.size = slide.size();
  scan.source = slide.describe();
  const int stride = options.stride > 0 ? options.stride : options.size;
  const auto boxes = tile_grid(scan.size, options.size, stride);
  scan.summary.size = options.size;
  scan.summary.stride = stride;
  scan.summary.total = int(boxes.size());
  if (options.overview_side > 0) {
    scan.overview_scale = std::min(1.0, double(options.overview_side) / std::max(scan.size.width, scan.size.height));
    scan.overview = cv::Mat(std::max(1, int(std::lround(scan.size.height * scan.overview_scale))),
                            std::max(1, int(std::lround(scan.size.width * scan.overview_scale))), CV_8UC3,
                            cv::Scalar(255, 255, 255));
  }

  const Model& model = predictor.model();
  scan.tiles.resize(boxes.size());
  std::vector<cv::Mat> batch;
  std::vector<size_t> index;
  for (size_t begin = 0; begin < boxes.size(); begin += size_t(options.batch)) {
    const size_t end = std::min(boxes.size(), begin + size_t(options.batch));
    batch.clear();
    index.clear();
    for (size_t i = begin; i < end; ++i) {
      TileResult& tile = scan.tiles[i];
      tile.box = boxes[i];
      cv::Mat pixels = slide.read(tile.box);
      if (!scan.overview.empty()) draw_into_overview(scan.overview, scan.overview_scale, tile.box, pixels);
      tile.background = is_background_tile(pixels, options.background);
      if (tile.background) continue;
      batch.push_back(std::move(pixels));
      index.push_back(i);
    }
    if (!batch.empty()) {
      std::vector<Explanation> explanations;
      std::vector<Prediction> predictions;
      if (options.explain_hottest > 0) {
        explanations = predictor.explain(batch);
        for (const auto& e : explanations) predictions.push_back(e.prediction);
      } else {
        predictions = predictor.predict(batch);
      }
      for (size_t j = 0; j < index.size(); ++j) {
        TileResult& tile = scan.tiles[index[j]];
        tile.class_id = predictions[j].class_id;
        tile.probabilities = std::move(predictions[j].probabilities);
        tile.all_probability = all_probability(model, tile.probabilities);
      }
      for (size_t j = 0; j < explanations.size(); ++j)
        scan.explained.push_back({.tile = index[j], .pixels = batch[j], .explanation = std::move(explanations[j])});
      keep_hottest(scan, size_t(std::max(0, options.explain_hottest)));
    }
    if (progress) progress(end, boxes.size());
  }

  for (const auto& tile : scan.tiles) {
    if (tile.background) {
      ++scan.summary.background;
      continue;
    }
    ++scan.summary.classified;
    scan.summary.all += tile.all_probability >= predictor.threshold();
    scan.summary.score = std::max(scan.summary.score, tile.all_probability);
  }
  scan.prediction = slide_verdict(scan.tiles, model, predictor.threshold(), options.min_all_tiles);
  if (scan.prediction)
    scan.prediction->ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return scan;
}

}  // namespace blastscan
