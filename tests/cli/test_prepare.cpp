// `blastscan prepare` end to end on copies of shared images in scratch folders: the table, the
// duplicates, the manifest, TFRecord shards read back, the same split for the same seed, and
// one clear error line (and no manifest) for every kind of bad dataset.
#include <gtest/gtest.h>

#include "base/file_io.h"
#include "common/paths.h"
#include "dataset_fixture.h"
#include "formats/tfrecord.h"

using namespace blastscan;
namespace bt = blastscan::testing;
namespace fs = std::filesystem;

namespace {

fs::path idb() { return bt::all_idb2(); }

std::string prepare(const std::string& args, int& status) {
  std::string out;
  status = bt::run_command(bt::blastscan_binary().string() + " prepare " + args, out);
  return out;
}


}  // namespace

TEST(PrepareCli, AllIdbWithShards) {
  const auto out = bt::scratch_dir();
  int status = 0;
  const std::string text = prepare(idb().string() + " --out " + out.string() + " --group-by blocks:25 --tfrecord --shards 2", status);
  ASSERT_EQ(status, 0) << text;
  EXPECT_NE(text.find("healthy"), std::string::npos) << text;
  EXPECT_NE(text.find("total            12     143         65     208"), std::string::npos) << text;
  EXPECT_NE(text.find("2 exact duplicates dropped"), std::string::npos) << text;
  EXPECT_NE(text.find("Im067_1.jpg: exact duplicate of"), std::string::npos) << text;
  EXPECT_TRUE(fs::exists(out / "manifest.json"));
  EXPECT_EQ(read_text_file(out / "labels.txt"), "0:healthy\n1:ALL\n");
  size_t records = 0;
  for (const char* split : {"train", "validation"})
    for (int shard = 0; shard < 2; ++shard) {
      const auto path = out / ("all_idb2_lowres_" + std::string(split) + "_0000" + std::to_string(shard) + "-of-00002.tfrecord");
      records += read_tfrecord_file(path).size();
    }
  EXPECT_EQ(records, 208u);
}

TEST(PrepareCli, SameSeedSameManifest) {
  const auto dir = bt::scratch_dir();
  int status = 0;
  for (const char* run : {"a", "b"}) prepare(idb().string() + " --out " + (dir / run).string() + " --seed 7", status);
  prepare(idb().string() + " --out " + (dir / "c").string() + " --seed 8", status);
  const auto a = read_text_file(dir / "a" / "manifest.csv");
  EXPECT_EQ(a, read_text_file(dir / "b" / "manifest.csv"));
  EXPECT_NE(a, read_text_file(dir / "c" / "manifest.csv"));
}

TEST(PrepareCli, BadImagesAreListedAndSkipped) {
  const auto dir = bt::scratch_dir();
  const auto data = bt::copy_small_dataset(dir / "data", 6);
  auto bytes = read_file(data / "Im001_1.jpg");
  bytes.resize(bytes.size() / 2);
  write_file_atomic(data / "Im900_1.jpg", bytes);
  write_file_atomic(data / "Im901_0.png", "garbage");
  int status = 0;
  const std::string text = prepare(data.string() + " --out " + (dir / "out").string() + " --val 0.5", status);
  ASSERT_EQ(status, 0) << text;
  EXPECT_NE(text.find("Im900_1.jpg: truncated jpeg"), std::string::npos) << text;
  EXPECT_NE(text.find("Im901_0.png: not an image"), std::string::npos) << text;
  EXPECT_NE(text.find("2 files skipped"), std::string::npos) << text;
}

TEST(PrepareCli, BadDatasetsAreOneLineErrorsWithoutOutput) {
  const auto dir = bt::scratch_dir();
  fs::create_directories(dir / "empty");
  const auto one = dir / "one";
  fs::create_directories(one / "Benign");
  fs::copy_file(idb() / "Im001_1.jpg", one / "Benign" / "a.jpg");
  const auto two = dir / "two";
  fs::create_directories(two / "A");
  fs::create_directories(two / "B");
  fs::copy_file(idb() / "Im001_1.jpg", two / "A" / "a.jpg");
  fs::copy_file(idb() / "Im002_1.jpg", two / "B" / "b.jpg");
  write_file_atomic(dir / "labels.txt", "0:A\n1:C\n");
  const struct {
    std::string args, message;
  } cases[] = {
      {(dir / "missing").string(), "missing: no such folder"},
      {(dir / "empty").string(), "no images found"},
      {one.string(), "only one class (Benign)"},
      {two.string() + " --labels " + (dir / "labels.txt").string(), "lists classes {A, C} but the dataset has {A, B}"},
      {two.string(), "class A: 1 images in 1 groups are too few"},
      {two.string() + " --group-by blocks:x", "--group-by blocks:x: block size must be a positive whole number"},
  };
  for (const auto& c : cases) {
    int status = 0;
    const auto out = dir / "out";
    const std::string text = prepare(c.args + " --out " + out.string(), status);
    EXPECT_EQ(status, 1) << c.args << "\n" << text;
    EXPECT_NE(text.find(c.message), std::string::npos) << c.args << "\n" << text;
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
    EXPECT_FALSE(fs::exists(out / "manifest.json")) << c.args;
  }
}

// Names are bytes: a file name that is not UTF-8 (it could not be stored in manifest.json and
// read back as the same path) is skipped with its reason; a class folder named so is refused
// with one line, since the class name goes into labels.txt and the model. Used to abort with
// nlohmann's "invalid UTF-8 byte" after all the work.
TEST(PrepareCli, NamesThatAreNotUtf8AreSkippedOrRefusedInOneLine) {
  const auto dir = bt::scratch_dir();
  const auto data = dir / "data";
  fs::create_directories(data / "A");
  fs::create_directories(data / "B");
  for (int i = 1; i <= 3; ++i) {
    fs::copy_file(idb() / ("Im00" + std::to_string(i) + "_1.jpg"), data / "A" / (std::to_string(i) + ".jpg"));
    fs::copy_file(idb() / ("Im14" + std::to_string(i) + "_0.jpg"), data / "B" / (std::to_string(i) + ".jpg"));
  }
  fs::copy_file(idb() / "Im004_1.jpg", data / "A" / "\xff\xfe.jpg");
  int status = 0;
  std::string text = prepare(data.string() + " --out " + (dir / "out").string() + " --val 0.34", status);
  ASSERT_EQ(status, 0) << text;
  EXPECT_NE(text.find("skipped " + data.string() + "/A/\\xff\\xfe.jpg: file name is not valid UTF-8"), std::string::npos) << text;
  EXPECT_EQ(text.find('\xff'), std::string::npos) << text;
  const std::string manifest = read_text_file(dir / "out" / "manifest.json");
  EXPECT_EQ(manifest.find("\xff"), std::string::npos);

  fs::rename(data / "B", data / "B\xff");
  text = prepare(data.string() + " --out " + (dir / "out2").string(), status);
  EXPECT_EQ(status, 1) << text;
  EXPECT_NE(text.find("blastscan: error: " + data.string() + "/B\\xff: class folder name is not valid UTF-8"), std::string::npos)
      << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
  EXPECT_FALSE(fs::exists(dir / "out2" / "manifest.json"));
}
