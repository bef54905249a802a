// Tiled scanning of a whole slide: cut it into tiles (tile_grid.h), skip background tiles
// (background_tile.h), classify the rest in batches through the Predictor (each tile
// preprocessed like one training image of the model), and aggregate the tiles' answers into
// the slide's answer by one documented rule (slide_verdict below). Memory is bounded by the
// tile batch: tiles are read from the SlideSource batch by batch and dropped after use.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "data/slide_source.h"
#include "predict/background_tile.h"
#include "predict/predictor.h"

namespace blastscan {

struct TilingOptions {
  int size = 299;          // tile side, in pixels of the level being read
  int stride = 0;          // 0 = size (tiles touch, no overlap)
  int batch = 16;          // tiles read and classified together
  int min_all_tiles = 1;   // K of the slide rule (see slide_verdict)
  BackgroundRule background;
  int overview_side = 0;   // > 0: also keep a downscaled copy of the slide, longer side <= this
  // > 0: keep the class activation maps of this many hottest tiles (highest ALL probability
  // first; the Predictor must be made with PredictorOptions::explain). The maps come from the
  // same network pass that classifies the tiles; memory grows by these tiles' pixels only.
  int explain_hottest = 0;
};

struct TileResult {
  cv::Rect box;                      // in pixels of the level read
  bool background = false;           // skipped: no stained cells (then nothing below is set)
  float all_probability = 0.f;       // sum of the probabilities of the classes that mean ALL
  int class_id = -1;                 // the tile's top class
  std::vector<float> probabilities;  // per class
};

// One of the hottest tiles with the class activation map of its predicted class.
struct ExplainedTile {
  size_t tile = 0;          // index into SlideScan::tiles
  cv::Mat pixels;           // the tile's RGB pixels, as classified
  Explanation explanation;  // its prediction, map and the part of the tile the network saw
};

// The counts every output format carries, and the slide score.
struct TileSummary {
  int size = 0, stride = 0;
  int total = 0, background = 0, classified = 0;
  int all = 0;            // classified tiles with ALL probability >= the threshold
  float score = 0.f;      // the highest tile ALL probability (0 when no tile was classified)
};

struct SlideScan {
  cv::Size size;                         // of the level read
  std::string source;                    // SlideSource::describe()
  std::vector<TileResult> tiles;         // in grid order
  TileSummary summary;
  std::optional<Prediction> prediction;  // empty when every tile is background
  cv::Mat overview;                      // RGB, when TilingOptions::overview_side > 0
  double overview_scale = 0.0;           // overview pixels per slide pixel
  std::vector<ExplainedTile> explained;  // TilingOptions::explain_hottest of them, hottest first
};

// When a decoded image is scanned in tiles unless told otherwise (classify, serve): when it is
// more than twice the network input on either side, where one input would shrink a cell to a
// few pixels.
bool is_slide_sized(cv::Size image, int input_size);

using TileProgress = std::function<void(size_t done, size_t total)>;

SlideScan scan_slide(SlideSource& slide, Predictor& predictor, const TilingOptions& options,
                     const TileProgress& progress = {});

// The slide rule. A tile is ALL when its ALL probability is >= threshold; the slide is ALL
// when at least min_all_tiles tiles are. The slide score is the highest tile ALL probability,
// and the slide takes its class probabilities from that hottest tile. Its class is the hottest
// tile's most probable ALL class when the slide is ALL, else its most probable other class;
// its confidence is the score when ALL, else 1 - score (how sure the hottest tile is that it is
// not ALL), and it is LOW below the threshold like any prediction.
// Returns nothing when no tile was classified.
std::optional<Prediction> slide_verdict(const std::vector<TileResult>& tiles, const Model& model, float threshold,
                                        int min_all_tiles);

}  // namespace blastscan
