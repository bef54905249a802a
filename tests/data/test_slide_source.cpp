// Slide sources: a decoded image, and a pyramidal BigTIFF written by libvips (`vips tiffsave
// --tile --pyramid --bigtiff`, Debian libvips-tools) read through OpenSlide, region by region
// and level by level, pixel for pixel equal to the image it was made from.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "base/error.h"
#include "base/file_io.h"
#include "common/paths.h"
#include "data/slide_source.h"
#include "predict/synthetic_slide.h"

namespace blastscan {
namespace {

namespace fs = std::filesystem;

cv::Mat pattern(cv::Size size) {
  cv::Mat rgb(size, CV_8UC3);
  for (int y = 0; y < size.height; ++y)
    for (int x = 0; x < size.width; ++x) rgb.at<cv::Vec3b>(y, x) = cv::Vec3b(uint8_t(x * 3), uint8_t(y * 5), uint8_t((x ^ y) & 255));
  return rgb;
}

TEST(SlideSource, ImageSlideReadsViewsInsideTheImage) {
  const cv::Mat rgb = pattern({300, 200});
  auto slide = image_slide(rgb);
  EXPECT_EQ(slide->size(), cv::Size(300, 200));
  EXPECT_EQ(cv::norm(slide->read({10, 20, 50, 40}), rgb({10, 20, 50, 40}), cv::NORM_INF), 0.0);
  EXPECT_THROW(slide->read({280, 0, 50, 10}), Error);
  EXPECT_EQ(slide->describe(), "300x200 image");
}

TEST(SlideSource, PyramidalBigTiffThroughOpenSlideEqualsItsImage) {
  const fs::path dir = testing::scratch_dir();
  const cv::Mat rgb = pattern({1000, 700});
  const fs::path tiff = dir / "slide.tif";
  ASSERT_EQ(testing::write_pyramidal_tiff(tiff, rgb), 0);
  ASSERT_TRUE(is_slide_file(tiff));
  auto level0 = open_slide_file(tiff);
  EXPECT_EQ(level0->size(), cv::Size(1000, 700));
  EXPECT_NE(level0->describe().find("level 0 of "), std::string::npos) << level0->describe();
  for (const cv::Rect box : {cv::Rect(0, 0, 100, 100), cv::Rect(117, 250, 299, 299), cv::Rect(700, 400, 300, 300)})
    EXPECT_EQ(cv::norm(level0->read(box), rgb(box), cv::NORM_INF), 0.0) << box;
  // Level 1 is half the size (vips halves each level), read in its own pixels.
  auto level1 = open_slide_file(tiff, {.level = 1});
  EXPECT_EQ(level1->size(), cv::Size(500, 350));
  cv::Mat half;
  cv::resize(rgb, half, {500, 350}, 0, 0, cv::INTER_AREA);
  EXPECT_LT(cv::norm(level1->read({100, 100, 200, 200}), half({100, 100, 200, 200}), cv::NORM_L1) / (200.0 * 200 * 3), 4.0);
  EXPECT_THROW(open_slide_file(tiff, {.level = 9}), InputError);
}

// An Aperio .svs as OpenSlide knows one (a tiled pyramidal TIFF whose first ImageDescription
// starts "Aperio" and carries MPP), made from a libvips pyramid with libtiff's tiffset:
// --pixel-size picks the level whose microns per pixel are closest on a log scale.
TEST(SlideSource, AnAperioSvsIsReadAtTheLevelClosestToTheTrainingPixelSize) {
  if (!fs::exists("/usr/bin/tiffset")) GTEST_SKIP() << "needs tiffset (scripts/setup.sh installs libtiff-tools)";
  const fs::path dir = testing::scratch_dir();
  const cv::Mat rgb = pattern({1000, 700});
  const fs::path svs = dir / "slide.svs";
  ASSERT_EQ(testing::write_pyramidal_tiff(svs, rgb), 0);  // levels 1000, 500, 250, 125 wide
  std::string out;
  ASSERT_EQ(testing::run_command("tiffset -s 270 'Aperio Image Library v12.0.0\n1000x700 [0,0 1000x700] (128x128) "
                                 "-> 1000x700|AppMag = 40|MPP = 0.25' " + svs.string(), out), 0) << out;
  ASSERT_TRUE(is_slide_file(svs));
  const auto level_read = [&](const SlideLevel& want) {
    auto slide = open_slide_file(svs, want);
    const std::string d = slide->describe();
    const size_t at = d.find("slide level ");
    EXPECT_NE(at, std::string::npos) << d;
    return std::make_pair(std::stoi(d.substr(at + 12)), slide->size());
  };
  EXPECT_EQ(level_read({}), std::make_pair(0, cv::Size(1000, 700)));  // by default the full resolution
  EXPECT_EQ(level_read({.pixel_size_um = 0.5}), std::make_pair(1, cv::Size(500, 350)));  // 0.25 um x 2
  EXPECT_EQ(level_read({.pixel_size_um = 0.9}).first, 2);    // 1.0 um is nearer than 0.5 um
  EXPECT_EQ(level_read({.pixel_size_um = 0.3}).first, 0);
  EXPECT_EQ(level_read({.pixel_size_um = 50}).first, 3);     // beyond the coarsest: the coarsest
  EXPECT_EQ(level_read({.level = 1, .pixel_size_um = 0.25}).first, 1);  // --level wins
  auto level0 = open_slide_file(svs);
  EXPECT_EQ(cv::norm(level0->read({117, 250, 299, 299}), rgb({117, 250, 299, 299}), cv::NORM_INF), 0.0);
  // The same pyramid without the description says nothing of its pixel size: level 0.
  const fs::path plain = dir / "plain.tif";
  ASSERT_EQ(testing::write_pyramidal_tiff(plain, rgb), 0);
  EXPECT_EQ(open_slide_file(plain, {.pixel_size_um = 0.9})->size(), cv::Size(1000, 700));
}

TEST(SlideSource, PlainImagesAndBrokenFilesAreNotSlides) {
  const fs::path dir = testing::scratch_dir();
  cv::imwrite((dir / "photo.jpg").string(), pattern({64, 64}));
  cv::imwrite((dir / "strips.tif").string(), pattern({64, 64}));  // OpenCV writes strip TIFFs
  EXPECT_FALSE(is_slide_file(dir / "photo.jpg"));
  EXPECT_FALSE(is_slide_file(dir / "strips.tif"));
  EXPECT_FALSE(is_slide_file(dir / "missing.svs"));
  write_file_atomic(dir / "broken.svs", std::string("II*\0garbage", 11));
  EXPECT_THROW(open_slide_file(dir / "broken.svs"), InputError);
  EXPECT_THROW(open_slide_file(dir / "missing.svs"), InputError);
}

// A slide input fuzz_slide found (tests/fuzz/regressions/slide/<name>), and why
// open_slide_file refuses it ("opened" if it does not).
fs::path regression_input(const std::string& name) {
  return testing::source_dir() / "tests" / "fuzz" / "regressions" / "slide" / name;
}
std::string refusal_to_open(const fs::path& path) {
  try {
    open_slide_file(path);
    return "opened";
  } catch (const InputError& e) {
    return e.what();
  }
}

// OpenSlide allocates what a tile's byte count claims: refused before it reads (fuzz_slide found
// a 50 KB three-level TIFF whose first tile claims 2,714,792,378 bytes).
TEST(SlideSource, ATileThatClaimsMoreBytesThanTheFileHoldsIsRefusedBeforeOpenSlideReadsIt) {
  const fs::path lying = regression_input("tile_byte_count_2.7_GB");
  EXPECT_EQ(refusal_to_open(lying), lying.string() + ": TIFF directory 0: tile 0 claims 2714792378 bytes at offset " +
                                        "16, past the end of the file (50202 bytes)");
  // A whole pyramid still opens (every tile inside the file).
  const fs::path tiff = testing::scratch_dir() / "slide.tif";
  ASSERT_EQ(testing::write_pyramidal_tiff(tiff, pattern({300, 200})), 0);
  EXPECT_EQ(open_slide_file(tiff)->size(), cv::Size(300, 200));
}

// OpenSlide's directory reader allocates count x type size for an entry before reading it:
// fuzz_slide found a 50 KB BigTIFF whose ResolutionUnit declares 2^30+1 SHORTs (2 GiB).
TEST(SlideSource, ADirectoryEntryDeclaringMoreDataThanTheFileHoldsIsRefusedBeforeOpenSlideOpensIt) {
  const fs::path lying = regression_input("ifd_entry_count_2_GiB");
  EXPECT_EQ(refusal_to_open(lying), lying.string() + ": TIFF directory 0: entry 10 (tag 296) declares 1073741825 " +
                                        "values of 2 bytes at offset 3, past the end of the file (50202 bytes)");
}

}  // namespace
}  // namespace blastscan
