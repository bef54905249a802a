// Whole slides end to end through `blastscan classify`: synthetic smears of ALL-IDB2 cells
// (tests/predict/synthetic_slide.h) scanned in tiles: automatic tiling and its message, tile
// counts in every output format, the heat-map PNG and tile list, bad tiling flags.
#include <gtest/gtest.h>

#include <cstdio>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "base/file_io.h"
#include "cli/model_fixture.h"
#include "cli/slide_fixture.h"
#include "predict/synthetic_slide.h"

namespace blastscan {
namespace {

namespace fs = std::filesystem;
using testing::blastscan;

void write_jpeg(const fs::path& path, const cv::Mat& rgb) {
  cv::Mat bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  std::vector<uint8_t> bytes;
  ASSERT_TRUE(cv::imencode(".jpg", bgr, bytes, {cv::IMWRITE_JPEG_QUALITY, 95}));
  write_file_atomic(path, bytes);
}

// A 700x420 smear-like photo: more than twice the 299-pixel input wide, so tiled automatically.
fs::path write_large_photo(const fs::path& dir) {
  const auto slide = testing::make_synthetic_slide({700, 420}, testing::idb2_cells(true), 3, 140, 0.45);
  write_jpeg(dir / "photo.jpg", slide.rgb);
  return dir / "photo.jpg";
}

std::string stderr_of(const std::string& args) {
  std::string err;
  testing::run_command("{ " + testing::blastscan_binary().string() + " " + args + " 2>&1 >/dev/null; }", err);
  return err;
}

TEST(Slides, LargeImagesAreTiledAutomaticallyWithTileCountsInEveryFormat) {
  const fs::path dir = testing::scratch_dir();
  const fs::path photo = write_large_photo(dir);
  const std::string args = "classify --model " + testing::small_model_pb().string() + " " + photo.string();
  EXPECT_NE(stderr_of(args).find("700x420 image, more than twice the network input: scanning 6 tiles of 299 pixels"),
            std::string::npos);
  std::string table, json_out, csv;
  ASSERT_EQ(blastscan(args, table), 0) << table;
  EXPECT_NE(table.find("6 tiles ("), std::string::npos) << table;
  ASSERT_EQ(testing::run_command("{ " + testing::blastscan_binary().string() + " " + args + " --format json 2>/dev/null; }", json_out), 0);
  const auto counts = nlohmann::json::parse(json_out)["images"][0]["tile_counts"];
  EXPECT_EQ(counts["total"], 6);
  EXPECT_EQ(counts["size"], 299);
  EXPECT_EQ(int(counts["background"]) + int(counts["classified"]), 6);
  EXPECT_GE(int(counts["background"]), 1);  // the bare right part
  ASSERT_EQ(testing::run_command("{ " + testing::blastscan_binary().string() + " " + args + " --format csv 2>/dev/null; }", csv), 0);
  EXPECT_NE(csv.find(",tiles,tiles_background,tiles_classified,tiles_all,slide_score,error\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",6," + std::to_string(int(counts["background"])) + ","), std::string::npos) << csv;
  // --no-tile classifies it whole, --tile tiles even small images.
  ASSERT_EQ(testing::run_command("{ " + testing::blastscan_binary().string() + " " + args + " --no-tile --format json 2>&1; }", json_out), 0);
  EXPECT_FALSE(nlohmann::json::parse(json_out)["images"][0].contains("tile_counts")) << json_out;
  const std::string cell = (testing::all_idb2() / "Im001_1.jpg").string();
  ASSERT_EQ(testing::run_command("{ " + testing::blastscan_binary().string() + " classify --model " +
                                     testing::small_model_pb().string() + " --tile 60 --stride 43 --format json " + cell +
                                     " 2>/dev/null; }",
                                 json_out),
            0);
  EXPECT_EQ(nlohmann::json::parse(json_out)["images"][0]["tile_counts"]["total"], 4) << json_out;  // 103 px: at 0 and 43
}

TEST(Slides, HeatmapIsAPngWithALegendAndATileList) {
  const fs::path dir = testing::scratch_dir();
  const fs::path photo = write_large_photo(dir);
  std::string out;
  ASSERT_EQ(blastscan("classify --model " + testing::small_model_pb().string() + " --tile 140 --stride 70 --heatmap " +
                          (dir / "heat").string() + " " + photo.string() + " " + photo.string(),
                      out),
            0)
      << out;
  const cv::Mat png = cv::imread((dir / "heat" / "photo.heatmap.png").string());
  ASSERT_FALSE(png.empty());
  EXPECT_EQ(png.cols, 700);
  EXPECT_GT(png.rows, 420);  // the legend band below the slide
  const auto tiles = nlohmann::json::parse(read_text_file(dir / "heat" / "photo.tiles.json"));
  EXPECT_EQ(tiles["path"], photo.string());
  EXPECT_EQ(tiles["tiles"].size(), size_t(tiles["tile_counts"]["total"]));
  EXPECT_EQ(tiles["tile_counts"]["total"], 9 * 5);
  EXPECT_TRUE(fs::exists(dir / "heat" / "photo-2.tiles.json"));  // the second input of the same name
  for (const auto& e : fs::directory_iterator(dir / "heat"))  // nothing half-written left behind
    EXPECT_TRUE(e.path().extension() == ".png" || e.path().extension() == ".json") << e.path();
}

TEST(Slides, BadTilingFlagsFailCleanly) {
  const std::string model = " --model " + testing::small_model_pb().string() + " ";
  const std::string cell = (testing::all_idb2() / "Im001_1.jpg").string();
  for (const std::string flags : {"--tile 5", "--tile 100 --no-tile", "--stride 0", "--tile-batch 0", "--level -1"}) {
    std::string out;
    EXPECT_EQ(testing::run_command("{ " + testing::blastscan_binary().string() + " classify" + model + flags + " " + cell +
                                       " 2>&1 >/dev/null; }",
                                   out),
              1)
        << flags;
    EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << flags << "\n" << out;
  }
}

}  // namespace
}  // namespace blastscan
