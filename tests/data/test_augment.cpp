// Augmentation: each operation's geometry and colours, the seed's counts, independent angles,
// target counts, and the files and manifest rows written.
#include <gtest/gtest.h>

#include <set>

#include <opencv2/imgproc.hpp>

#include "base/error.h"
#include "common/paths.h"
#include "data/augment.h"
#include "data/image.h"
#include "synthetic_images.h"

using namespace blastscan;

namespace {

cv::Mat gradient(int h, int w) {
  cv::Mat img(h, w, CV_8UC3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) img.at<cv::Vec3b>(y, x) = cv::Vec3b(uint8_t(x * 2), uint8_t(y * 2), 90);
  return img;
}

Dataset train_set(int per_class_a, int per_class_b) {
  Dataset ds;
  ds.classes = {"a", "b"};
  for (int i = 0; i < per_class_a + per_class_b; ++i)
    ds.samples.push_back({.path = "/d/img" + std::to_string(i) + ".jpg", .label = i < per_class_a ? 0 : 1, .split = "train"});
  return ds;
}

}  // namespace

TEST(AugmentImage, FlipsShiftAndGray) {
  const AugmentRecipe r;
  const cv::Mat img = gradient(40, 60);
  EXPECT_EQ(augment_image(img, AugmentOp::flip_x, r).at<cv::Vec3b>(0, 5), img.at<cv::Vec3b>(39, 5));
  EXPECT_EQ(augment_image(img, AugmentOp::flip_y, r).at<cv::Vec3b>(3, 0), img.at<cv::Vec3b>(3, 59));
  AugmentRecipe small_shift;
  small_shift.shift_x = 10;
  small_shift.shift_y = 5;
  const cv::Mat shifted = augment_image(img, AugmentOp::shift, small_shift);
  EXPECT_EQ(shifted.at<cv::Vec3b>(5 + 7, 10 + 3), img.at<cv::Vec3b>(7, 3));
  EXPECT_EQ(shifted.at<cv::Vec3b>(0, 0), cv::Vec3b(162, 159, 144));  // the seed's border colour, RGB
  const cv::Mat gray = augment_image(img, AugmentOp::gray, r);
  const cv::Vec3b g = gray.at<cv::Vec3b>(10, 20);
  EXPECT_TRUE(g[0] == g[1] && g[1] == g[2]);
  const cv::Vec3b p = img.at<cv::Vec3b>(10, 20);
  EXPECT_NEAR(g[0], 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2], 1.0);
}

TEST(AugmentImage, EqualizeSpreadsTheHistogram) {
  cv::Mat dull(32, 32, CV_8UC3);
  for (int y = 0; y < 32; ++y)
    for (int x = 0; x < 32; ++x) dull.at<cv::Vec3b>(y, x) = cv::Vec3b::all(uint8_t(100 + (x + y) % 20));
  double lo, hi;
  cv::minMaxLoc(augment_image(dull, AugmentOp::equalized, {}).reshape(1), &lo, &hi);
  EXPECT_LT(lo, 20);
  EXPECT_EQ(hi, 255);
}

TEST(AugmentImage, RotationKeepsTheCentreAndScales) {
  const AugmentRecipe r;  // scale 0.70
  cv::Mat img(101, 101, CV_8UC3, cv::Scalar(10, 20, 30));
  img.at<cv::Vec3b>(50, 50) = cv::Vec3b(255, 255, 255);
  const cv::Mat rot = augment_image(img, AugmentOp::rotate, r, 90);
  EXPECT_GT(rot.at<cv::Vec3b>(50, 50)[0], 100);                  // centre stays put
  EXPECT_EQ(rot.at<cv::Vec3b>(0, 0), cv::Vec3b(162, 159, 144));  // corners uncovered at 0.7
  EXPECT_EQ(rot.at<cv::Vec3b>(50, 20), cv::Vec3b(10, 20, 30));   // within 0.7 * 50 of the centre
}

TEST(AugmentImage, BlurSmoothsAnEdge) {
  cv::Mat edge(64, 64, CV_8UC3, cv::Scalar::all(0));
  edge(cv::Rect(32, 0, 32, 64)).setTo(cv::Scalar::all(255));
  const cv::Mat blurred = augment_image(edge, AugmentOp::blur, {});
  EXPECT_NEAR(blurred.at<cv::Vec3b>(10, 31)[0], 128, 25);  // half-way at the edge
  EXPECT_GT(blurred.at<cv::Vec3b>(10, 27)[0], 30);          // a sigma of 5 reaches 5 px out
  EXPECT_EQ(blurred.at<cv::Vec3b>(10, 0)[0], 0);
}

TEST(PlanAugmentation, TheSeedsRecipeMakes27PerSource) {
  const Dataset train = train_set(39, 39);
  const auto jobs = plan_augmentation(train, {}, 50);
  EXPECT_EQ(jobs.size(), 2u * 1053);  // 39 x 27 per class, as in the seed
  std::set<double> angles;
  for (const auto& j : jobs)
    if (j.op == AugmentOp::rotate) {
      angles.insert(j.angle);
      EXPECT_GE(j.angle, -180);
      EXPECT_LE(j.angle, 180);
    }
  EXPECT_GT(angles.size(), 1500u);  // independent draws, not one angle repeated
  const auto again = plan_augmentation(train, {}, 50);
  EXPECT_EQ(again[100].angle, jobs[100].angle);
  EXPECT_EQ(again.back().angle, jobs.back().angle);
}

TEST(PlanAugmentation, TargetCountsSpreadOverSources) {
  const Dataset train = train_set(10, 4);
  const auto jobs = plan_augmentation(train, {}, 50, 25);
  std::map<size_t, int> per_source;
  std::map<int, int> per_class;
  for (const auto& j : jobs) {
    ++per_source[j.source];
    ++per_class[train.samples[j.source].label];
  }
  EXPECT_EQ(per_class[0], 25);
  EXPECT_EQ(per_class[1], 25);
  EXPECT_EQ(per_source[0], 3);   // 25 over 10 sources: 3,3,3,3,3,2,...
  EXPECT_EQ(per_source[9], 2);
  EXPECT_EQ(per_source[10], 7);  // 25 over 4 sources: 7,6,6,6
  EXPECT_EQ(plan_augmentation(train, {}, 50, 0, 2.5).size(), 25u + 10u);
  AugmentRecipe nothing;
  nothing.fixed.clear();
  nothing.rotations = 0;
  EXPECT_THROW(plan_augmentation(train, nothing, 50), InputError);
}

TEST(WriteAugmented, WritesImagesLinkedToSources) {
  const auto root = blastscan::testing::scratch_dir();
  Dataset train;
  train.classes = {"a", "b"};
  for (int i = 0; i < 2; ++i) {
    const fs::path p = root / "src" / ("cell" + std::to_string(i) + ".png");
    blastscan::testing::write_test_image(p, i, 48, 40);
    train.samples.push_back({.path = p, .label = i, .group = "g" + std::to_string(i), .split = "train"});
  }
  AugmentRecipe recipe;
  recipe.size = 64;
  recipe.rotations = 2;
  const auto jobs = plan_augmentation(train, recipe, 50);
  const Dataset out = write_augmented(train, jobs, recipe, root / "out", "png", 2);
  ASSERT_EQ(out.samples.size(), 18u);
  for (const auto& s : out.samples) {
    EXPECT_EQ(s.split, "train");
    EXPECT_EQ(s.source, train.samples[s.label].path);
    EXPECT_EQ(s.group, train.samples[s.label].group);
    EXPECT_EQ(s.path.parent_path(), root / "out" / train.classes[s.label]);
    EXPECT_EQ(load_image(s.path).cols, 64);
  }
  EXPECT_TRUE(fs::exists(root / "out" / "a" / "cell0_00_original.png"));
  EXPECT_TRUE(fs::exists(root / "out" / "b" / "cell1_06_shift.png"));
  const cv::Mat sheet = make_contact_sheet(out, 32);
  EXPECT_EQ(sheet.rows, 2 * (32 + 4) + 4);
}
