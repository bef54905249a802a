// Manifest CSV and JSON: both round-trip a dataset, paths resolve relative to the manifest,
// awkward names survive CSV quoting, and broken manifests name the file and line.
#include <gtest/gtest.h>

#include "base/error.h"
#include "base/file_io.h"
#include "common/paths.h"
#include "data/manifest.h"

using namespace blastscan;

namespace {

Dataset sample_dataset(const fs::path& root) {
  Dataset ds;
  ds.classes = {"healthy", "ALL"};
  ds.samples = {{.path = root / "imgs" / "Im001_1.jpg", .label = 1, .group = "ALL/0", .hash = "ab", .split = "train"},
                {.path = root / "imgs" / "odd, \"name\".png", .label = 0, .group = "g", .hash = "cd", .split = "validation"},
                {.path = root / "aug" / "x.jpg", .label = 1, .group = "ALL/0", .hash = "ef", .split = "train",
                 .source = root / "imgs" / "Im001_1.jpg"}};
  ds.skipped = {{root / "imgs" / "bad.jpg", "truncated jpeg"}};
  return ds;
}

void expect_same(const Dataset& a, const Dataset& b) {
  EXPECT_EQ(a.classes, b.classes);
  ASSERT_EQ(a.samples.size(), b.samples.size());
  for (size_t i = 0; i < a.samples.size(); ++i) {
    EXPECT_EQ(a.samples[i].path, b.samples[i].path);
    EXPECT_EQ(a.samples[i].label, b.samples[i].label);
    EXPECT_EQ(a.samples[i].group, b.samples[i].group);
    EXPECT_EQ(a.samples[i].hash, b.samples[i].hash);
    EXPECT_EQ(a.samples[i].split, b.samples[i].split);
    EXPECT_EQ(a.samples[i].source, b.samples[i].source);
  }
}

}  // namespace

TEST(Manifest, CsvAndJsonRoundTrip) {
  const auto root = blastscan::testing::scratch_dir();
  const Dataset ds = sample_dataset(root);
  write_manifest(ds, root / "out");
  expect_same(load_manifest(root / "out" / "manifest.json"), ds);
  expect_same(load_manifest(root / "out" / "manifest.csv"), ds);
  expect_same(load_dataset(root / "out"), ds);
  EXPECT_EQ(load_manifest(root / "out" / "manifest.json").skipped.size(), 1u);
  EXPECT_EQ(read_text_file(root / "out" / "labels.txt"), "0:healthy\n1:ALL\n");
}

TEST(Manifest, PathsAreRelativeToTheManifestFolder) {
  const auto root = blastscan::testing::scratch_dir();
  write_manifest(sample_dataset(root), root / "out");
  const std::string csv = read_text_file(root / "out" / "manifest.csv");
  EXPECT_NE(csv.find("\n../imgs/Im001_1.jpg,ab,1,ALL,train,ALL/0,\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\"../imgs/odd, \"\"name\"\".png\""), std::string::npos) << csv;
  // Moving the manifest together with the images keeps it valid.
  fs::rename(root, root.string() + "-moved");
  const Dataset moved = load_manifest(root.string() + "-moved/out/manifest.csv");
  EXPECT_EQ(moved.samples[0].path, fs::path(root.string() + "-moved") / "imgs" / "Im001_1.jpg");
  fs::remove_all(root.string() + "-moved");
}

TEST(Manifest, BrokenManifestsNameFileAndLine) {
  const auto root = blastscan::testing::scratch_dir();
  write_file_atomic(root / "a.csv", "path,hash,label,class,split,group,source\nx.jpg,h,1,ALL,train,g\n");
  try {
    load_manifest(root / "a.csv");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), (root / "a.csv").string() + ":2: 6 fields, expected 7");
  }
  write_file_atomic(root / "b.csv", "path,hash,label,class,split,group,source\nx.jpg,h,one,ALL,train,g,\n");
  EXPECT_THROW(load_manifest(root / "b.csv"), InputError);
  write_file_atomic(root / "c.csv", "name,label\n");
  EXPECT_THROW(load_manifest(root / "c.csv"), InputError);
  write_file_atomic(root / "d.json", "{\"format\": \"blastscan-manifest-1\", \"classes\": [\"a\"], \"samples\": [{\"path\": \"x\", \"label\": 3}]}");
  EXPECT_THROW(load_manifest(root / "d.json"), InputError);
  // A label too large for an int: refused by name (the cast was undefined behaviour; fuzz_text_formats).
  write_file_atomic(root / "g.json", "{\"format\": \"blastscan-manifest-1\", \"classes\": [\"a\"], \"samples\": [{\"path\": \"x\", \"label\": 8.9e76}]}");
  try {
    load_manifest(root / "g.json");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find((root / "g.json").string() + ": bad manifest JSON: "), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("number 8.9e+76 is not an integer in range"), std::string::npos) << e.what();
  }
  write_file_atomic(root / "e.json", "{not json");
  EXPECT_THROW(load_manifest(root / "e.json"), InputError);
  EXPECT_THROW(load_manifest(root / "f.txt"), InputError);
}

TEST(SelectSplit, KeepsClassesAndRefusesUnsplit) {
  const Dataset ds = sample_dataset("/r");
  const Dataset train = select_split(ds, kTrain);
  EXPECT_EQ(train.classes, ds.classes);
  EXPECT_EQ(train.samples.size(), 2u);
  Dataset unsplit = ds;
  for (auto& s : unsplit.samples) s.split.clear();
  EXPECT_THROW(select_split(unsplit, kValidation), InputError);
}
