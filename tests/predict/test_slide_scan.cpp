// Tiled scanning: the tile grid (last row/column shifted inside), the background rule, the
// slide rule, and a scan of a decoded image end to end with a small random model.
#include <gtest/gtest.h>

#include <algorithm>

#include <opencv2/imgproc.hpp>

#include "base/error.h"
#include "data/slide_source.h"
#include "inception/random_model.h"
#include "predict/background_tile.h"
#include "predict/slide_json.h"
#include "predict/slide_scan.h"
#include "predict/tile_grid.h"

namespace blastscan {
namespace {

TEST(TileGrid, StartsEndAtTheEdgeAndOverlapByTheStride) {
  EXPECT_EQ(tile_starts(1000, 299, 299), (std::vector<int>{0, 299, 598, 701}));  // last shifted back
  EXPECT_EQ(tile_starts(897, 299, 299), (std::vector<int>{0, 299, 598}));        // exact fit: no extra
  EXPECT_EQ(tile_starts(500, 200, 100), (std::vector<int>{0, 100, 200, 300}));
  EXPECT_EQ(tile_starts(120, 299, 299), (std::vector<int>{0}));  // shorter than a tile
  EXPECT_THROW(tile_starts(100, 0, 10), Error);
}

TEST(TileGrid, CoversEveryPixelWithBoxesInside) {
  const cv::Size image(1031, 250);
  const auto boxes = tile_grid(image, 299, 256);
  cv::Mat covered(image, CV_8U, cv::Scalar(0));
  for (const auto& b : boxes) {
    EXPECT_EQ(b & cv::Rect({}, image), b);
    EXPECT_EQ(b.width, 299);
    EXPECT_EQ(b.height, 250);  // the side shorter than a tile: one tile as long as it
    covered(b).setTo(1);
  }
  EXPECT_EQ(cv::countNonZero(covered), image.area());
  EXPECT_EQ(boxes.size(), 4u);
}

cv::Mat plain(int side, uint8_t grey) { return cv::Mat(side, side, CV_8UC3, cv::Scalar(grey, grey, grey)); }

TEST(BackgroundTile, UniformAndNoisyGlassIsBackgroundACellIsNot) {
  EXPECT_TRUE(is_background_tile(plain(100, 230)));
  cv::Mat noisy = plain(100, 200), noise(100, 100, CV_16SC3);
  cv::RNG(3).fill(noise, cv::RNG::NORMAL, 0, 6);
  cv::Mat(cv::Mat_<cv::Vec3s>(noisy) + noise).convertTo(noisy, CV_8UC3);
  EXPECT_TRUE(is_background_tile(noisy)) << stained_fraction(noisy);
  cv::Mat cell = plain(100, 230);
  cv::circle(cell, {50, 50}, 10, cv::Scalar(120, 60, 150), cv::FILLED);  // 3% of the tile
  EXPECT_FALSE(is_background_tile(cell)) << stained_fraction(cell);
  cv::Mat speck = plain(100, 230);
  cv::circle(speck, {50, 50}, 3, cv::Scalar(120, 60, 150), cv::FILLED);  // under 1%: dust
  EXPECT_TRUE(is_background_tile(speck)) << stained_fraction(speck);
  // Stain-agnostic: a dark grey cell on a grey image counts as well.
  cv::Mat gray_cell = plain(100, 180);
  cv::circle(gray_cell, {50, 50}, 10, cv::Scalar(100, 100, 100), cv::FILLED);
  EXPECT_FALSE(is_background_tile(gray_cell));
}

Model two_class_model() {
  Model m = make_random_model("Conv2d_2a_3x3", 2, 5);
  m.classes = {"healthy", "ALL"};
  m.positive = {"ALL"};
  return m;
}

TileResult tile(float all) {
  TileResult t;
  t.all_probability = all;
  t.class_id = all >= 0.5f;
  t.probabilities = {1 - all, all};
  return t;
}

TileResult background_tile() {
  TileResult t;
  t.background = true;
  return t;
}

TEST(SlideVerdict, AllWhenEnoughTilesAreAtTheThresholdAndScoredByTheHottest) {
  const Model m = two_class_model();
  const std::vector<TileResult> tiles = {tile(0.1f), tile(0.85f), tile(0.8f), tile(0.3f), background_tile()};
  const auto one = slide_verdict(tiles, m, 0.8f, 1);
  ASSERT_TRUE(one);
  EXPECT_TRUE(one->positive);
  EXPECT_EQ(one->label, "ALL");
  EXPECT_FLOAT_EQ(one->confidence, 0.85f);
  EXPECT_FALSE(one->low_confidence);
  EXPECT_EQ(one->probabilities, tiles[1].probabilities);
  EXPECT_TRUE(slide_verdict(tiles, m, 0.8f, 2)->positive);  // 0.8 itself counts: equal is not below
  const auto three = slide_verdict(tiles, m, 0.8f, 3);
  EXPECT_FALSE(three->positive);
  EXPECT_EQ(three->label, "healthy");
  EXPECT_FLOAT_EQ(three->confidence, 1.f - 0.85f);
  EXPECT_TRUE(three->low_confidence);
  const auto calm = slide_verdict({tile(0.05f), tile(0.02f)}, m, 0.8f, 1);
  EXPECT_FALSE(calm->positive);
  EXPECT_FLOAT_EQ(calm->confidence, 0.95f);
  EXPECT_FALSE(slide_verdict({background_tile()}, m, 0.8f, 1));  // nothing was classified
}

TEST(ScanSlide, ClassifiesNonBackgroundTilesLikeWholeImagesAndCountsThem) {
  cv::Mat image(400, 620, CV_8UC3, cv::Scalar(230, 225, 228));
  for (int x = 40; x < 620; x += 150) cv::circle(image, {x, 100}, 30, cv::Scalar(110, 60, 140), cv::FILLED);
  auto slide = image_slide(image);
  Predictor predictor(two_class_model(), {.threshold = 0.5f, .batch = 3});
  TilingOptions options;
  options.size = 200, options.stride = 150, options.batch = 4, options.overview_side = 310;
  int calls = 0;
  const auto scan = scan_slide(*slide, predictor, options, [&](size_t done, size_t total) {
    ++calls;
    EXPECT_EQ(total, 12u);
    EXPECT_LE(done, total);
  });
  EXPECT_EQ(calls, 3);  // one call per tile batch
  EXPECT_EQ(scan.summary.total, 12);  // x: 0 150 300 420, y: 0 150 200
  EXPECT_EQ(scan.summary.background, 8);  // the cells are in the top row only
  EXPECT_EQ(scan.summary.classified, 4);
  float score = 0.f;
  int all = 0;
  for (const auto& t : scan.tiles) {
    if (t.background) continue;
    // Each tile's answer is the whole-image answer for its pixels.
    const auto alone = predictor.predict(image(t.box).clone());
    EXPECT_NEAR(t.all_probability, alone.probabilities[1], 1e-6);
    score = std::max(score, t.all_probability);
    all += t.all_probability >= 0.5f;
  }
  EXPECT_FLOAT_EQ(scan.summary.score, score);
  EXPECT_EQ(scan.summary.all, all);
  ASSERT_TRUE(scan.prediction);
  EXPECT_EQ(scan.prediction->positive, all >= 1);
  EXPECT_EQ(scan.overview.cols, 310);
  EXPECT_EQ(scan.overview.rows, 200);
  const auto j = slide_scan_json(scan, predictor.model());
  EXPECT_EQ(j["tiles"].size(), 12u);
  EXPECT_EQ(j["tile_counts"]["background"], 8);
  EXPECT_EQ(j["tiles"][11]["x"], 420);
  EXPECT_FALSE(j["tiles"][11].contains("probabilities"));  // background
}

TEST(ScanSlide, KeepsTheMapsOfTheHottestTilesFromTheSamePass) {
  cv::Mat image(400, 620, CV_8UC3, cv::Scalar(230, 225, 228));
  for (int x = 40; x < 620; x += 90) cv::circle(image, {x, 100 + x / 3}, 28, cv::Scalar(110, 60, 140), cv::FILLED);
  auto slide = image_slide(image);
  Predictor predictor(two_class_model(), {.threshold = 0.5f, .batch = 2, .explain = true});
  TilingOptions options;
  options.size = 150, options.stride = 100, options.batch = 3, options.explain_hottest = 4;
  const auto scan = scan_slide(*slide, predictor, options);
  ASSERT_GT(scan.summary.classified, 4);  // more candidates than kept, across several batches
  ASSERT_EQ(scan.explained.size(), 4u);
  std::vector<float> hottest;
  for (const auto& t : scan.tiles)
    if (!t.background) hottest.push_back(t.all_probability);
  std::sort(hottest.rbegin(), hottest.rend());
  for (size_t rank = 0; rank < scan.explained.size(); ++rank) {
    const ExplainedTile& e = scan.explained[rank];
    const TileResult& tile = scan.tiles.at(e.tile);
    EXPECT_FALSE(tile.background);
    EXPECT_EQ(tile.all_probability, hottest[rank]) << rank;  // hottest first
    EXPECT_EQ(e.explanation.prediction.probabilities, tile.probabilities) << rank;  // one pass
    EXPECT_EQ(e.pixels.size(), tile.box.size());
    // The map is the whole-image map of the tile's pixels.
    const auto alone = predictor.explain({image(tile.box).clone()}).at(0);
    EXPECT_EQ(alone.seen, e.explanation.seen);
    EXPECT_LT(cv::norm(alone.cam, e.explanation.cam, cv::NORM_INF), 1e-4) << rank;
  }
  // Without explain_hottest, no maps are kept and a plain Predictor scans.
  Predictor plain(two_class_model(), {.threshold = 0.5f});
  options.explain_hottest = 0;
  EXPECT_TRUE(scan_slide(*slide, plain, options).explained.empty());
}

TEST(ScanSlide, RefusesNonsenseOptions) {
  auto slide = image_slide(cv::Mat(100, 100, CV_8UC3, cv::Scalar(200, 200, 200)));
  Predictor predictor(two_class_model());
  TilingOptions options;
  options.size = 0;
  EXPECT_THROW(scan_slide(*slide, predictor, options), InputError);
  options.size = 50, options.batch = 0;
  EXPECT_THROW(scan_slide(*slide, predictor, options), InputError);
}

}  // namespace
}  // namespace blastscan
