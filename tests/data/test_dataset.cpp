// scan_dataset over the three layouts and its refusals; class_from_path, list_images,
// image_number.
#include <gtest/gtest.h>

#include "base/error.h"
#include "base/file_io.h"
#include "common/paths.h"
#include "data/dataset.h"
#include "synthetic_images.h"

using namespace blastscan;
using blastscan::testing::write_test_image;

namespace {

std::string scan_error(const fs::path& root, const ScanOptions& options = {}) {
  try {
    scan_dataset(root, options);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(ScanDataset, ClassFoldersInSortedOrder) {
  const auto root = blastscan::testing::scratch_dir();
  write_test_image(root / "Pro" / "b.jpg", 1);
  write_test_image(root / "Benign" / "a.png", 2);
  write_test_image(root / "Benign" / "sub" / "c.bmp", 3);
  write_file_atomic(root / "Benign" / "notes.txt", "x");
  write_test_image(root / "stray.jpg", 4);
  const Dataset ds = scan_dataset(root);
  EXPECT_EQ(ds.classes, (std::vector<std::string>{"Benign", "Pro"}));
  ASSERT_EQ(ds.samples.size(), 3u);
  EXPECT_EQ(ds.samples[0].path, root / "Benign" / "a.png");
  EXPECT_EQ(ds.samples[0].label, 0);
  EXPECT_EQ(ds.samples[1].path, root / "Benign" / "sub" / "c.bmp");
  EXPECT_EQ(ds.samples[2].label, 1);
  ASSERT_EQ(ds.skipped.size(), 2u);  // notes.txt and the image outside the class folders
  EXPECT_NE(ds.skipped[0].reason.find("not an image"), std::string::npos);
  EXPECT_EQ(ds.skipped[1].reason, "image outside any class folder");
}

TEST(ScanDataset, SharedTaleqaniHasFourClasses) {
  const Dataset ds = scan_dataset(blastscan::testing::shared_dir() / "data" / "taleqani");
  EXPECT_EQ(ds.classes, (std::vector<std::string>{"Benign", "Early", "Pre", "Pro"}));
  EXPECT_EQ(ds.samples.size(), 2618u);
}

TEST(ScanDataset, AllIdbNamesGiveHealthyAndAll) {
  const Dataset ds = scan_dataset(blastscan::testing::shared_dir() / "data" / "all_idb2_lowres");
  EXPECT_EQ(ds.classes, kAllIdbClasses);
  ASSERT_EQ(ds.samples.size(), 210u);
  size_t all = 0;
  for (const auto& s : ds.samples) {
    all += s.label == 1;
    EXPECT_EQ(s.label, s.path.stem().string().back() - '0');
  }
  EXPECT_EQ(all, 110u);
}

TEST(ScanDataset, LabelsFileFixesIdsAndMustAgree) {
  const auto root = blastscan::testing::scratch_dir();
  write_test_image(root / "Benign" / "a.jpg", 1);
  write_test_image(root / "ALL" / "b.jpg", 2);
  write_file_atomic(root / "labels.txt", "0:Benign\n1:ALL\n");
  const Dataset ds = scan_dataset(root);
  EXPECT_EQ(ds.classes, (std::vector<std::string>{"Benign", "ALL"}));  // not sorted: the file decides
  EXPECT_EQ(ds.samples[0].label, 1);  // ALL/b.jpg sorts first by path
  write_file_atomic(root / "labels.txt", "0:Benign\n1:Malignant\n");
  EXPECT_EQ(scan_error(root), (root / "labels.txt").string() +
                                  ": lists classes {Benign, Malignant} but the dataset has {ALL, Benign}");
}

TEST(ScanDataset, AllIdbWithLabelsFileRenamesClasses) {
  const auto root = blastscan::testing::scratch_dir();
  write_test_image(root / "Im001_1.jpg", 1);
  write_test_image(root / "Im002_0.jpg", 2);
  write_test_image(root / "photo.jpg", 3);
  write_file_atomic(root / "names.txt", "0:normal\n1:blast\n");
  const Dataset ds = scan_dataset(root, {.labels_file = root / "names.txt"});
  EXPECT_EQ(ds.classes, (std::vector<std::string>{"normal", "blast"}));
  EXPECT_EQ(ds.samples.size(), 2u);
  ASSERT_EQ(ds.skipped.size(), 1u);
  EXPECT_EQ(ds.skipped[0].path, root / "photo.jpg");
}

TEST(ScanDataset, RefusesEmptySingleClassAndMissing) {
  const auto root = blastscan::testing::scratch_dir();
  EXPECT_EQ(scan_error(root / "nope"), (root / "nope").string() + ": no such folder");
  EXPECT_EQ(scan_error(root), root.string() + ": no images found (expected class folders or ALL-IDB ImNNN_L names)");
  write_test_image(root / "Only" / "a.jpg", 1);
  EXPECT_EQ(scan_error(root), root.string() + ": only one class (Only); a classifier needs at least two");
  fs::create_directories(root / "Empty");
  EXPECT_EQ(scan_error(root), (root / "Empty").string() + ": empty class (no images)");
  const auto idb = root / "idb";
  write_test_image(idb / "Im001_1.jpg", 1);
  EXPECT_NE(scan_error(idb).find("no images of class 0 (healthy)"), std::string::npos);
}

TEST(ClassFromPath, FolderOrAllIdbSuffix) {
  const std::vector<std::string> four = {"Benign", "Early", "Pre", "Pro"};
  EXPECT_EQ(class_from_path("/d/Pre/x.jpg", four), "Pre");
  EXPECT_EQ(class_from_path("/d/other/x.jpg", four), std::nullopt);
  EXPECT_EQ(class_from_path("/d/Im012_1.jpg", four), std::nullopt);  // suffix needs a 2-class model
  EXPECT_EQ(class_from_path("/d/Im012_1.jpg", kAllIdbClasses), "ALL");
  EXPECT_EQ(class_from_path("/d/Im012_0.tif", kAllIdbClasses), "healthy");
  EXPECT_EQ(class_from_path("/d/Im012_2.jpg", kAllIdbClasses), std::nullopt);
}

TEST(ListImages, FilesAsGivenFoldersRecursivelySorted) {
  const auto root = blastscan::testing::scratch_dir();
  write_test_image(root / "d" / "b.jpg", 1);
  write_test_image(root / "d" / "a" / "c.png", 2);
  write_file_atomic(root / "d" / "readme.md", "x");
  write_file_atomic(root / "given.txt", "x");
  const auto images = list_images({root / "given.txt", root / "d"});
  EXPECT_EQ(images, (std::vector<fs::path>{root / "given.txt", root / "d" / "a" / "c.png", root / "d" / "b.jpg"}));
  fs::create_directories(root / "empty");
  EXPECT_THROW(list_images({root / "empty"}), InputError);
  EXPECT_THROW(list_images({root / "missing.jpg"}), InputError);
}

TEST(ImageNumber, RunningNumberOrAllIdbNumber) {
  EXPECT_EQ(image_number("WBC-Malignant-Pro-011.jpg"), 11);
  EXPECT_EQ(image_number("Im067_1.jpg"), 67);
  EXPECT_EQ(image_number("scan_2019_7.png"), 7);
  EXPECT_EQ(image_number("cell.png"), std::nullopt);
}
