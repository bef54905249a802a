// `blastscan prepare` end to end on copies of shared images in scratch folders: the table, the
// duplicates, the manifest, TFRecord shards read back, the same split for the same seed, and
// one clear error line (and no manifest) for every kind of bad dataset.
#include <gtest/gtest.h>

#include <csignal>
#include <map>
#include <thread>

#include <nlohmann/json.hpp>

#include "base/file_io.h"
#include "base/hash.h"
#include "common/child_process.h"
#include "common/paths.h"
#include "dataset_fixture.h"
#include "formats/tf_example.h"
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

// A link loop or a dangling link in a class folder is a skipped file with its reason; prepare
// used to abort on the loop with a raw filesystem error.
TEST(PrepareCli, BadPathsInAClassFolderAreSkippedWithTheirReason) {
  const auto dir = bt::scratch_dir();
  const auto data = bt::copy_small_dataset(dir / "data", 4);
  fs::create_symlink("Im990_1.jpg", data / "Im990_1.jpg");  // a loop
  fs::create_symlink(dir / "nowhere.jpg", data / "Im991_0.jpg");
  int status = 0;
  const std::string text = prepare(data.string() + " --out " + (dir / "out").string() + " --val 0.5", status);
  ASSERT_EQ(status, 0) << text;
  EXPECT_NE(text.find("Im990_1.jpg: cannot read: Too many levels of symbolic links"), std::string::npos) << text;
  EXPECT_NE(text.find("Im991_0.jpg: dangling symbolic link"), std::string::npos) << text;
  EXPECT_NE(text.find("2 files skipped"), std::string::npos) << text;
}

namespace {

// The split of every image in the shards of `dir`, by content hash, against the manifest's.
// Returns how many shard records disagree with the manifest.
int shard_records_against_manifest(const fs::path& dir) {
  std::map<std::string, std::string> split_of;
  const auto manifest = nlohmann::json::parse(read_text_file(dir / "manifest.json"));
  for (const auto& s : manifest["samples"]) split_of[s["hash"]] = s["split"];
  int disagreeing = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (e.path().extension() != ".tfrecord") continue;
    const std::string split = name.find("_train_") != std::string::npos ? "train" : "validation";
    for (const auto& record : read_tfrecord_file(e.path())) {
      const auto example = parse_image_example(record, name);
      disagreeing += split_of[sha256_hex(example.encoded)] != split;
    }
  }
  return disagreeing;
}

}  // namespace

// kill -9 while a re-run with another seed writes its shards: the old manifest must not stay
// beside the new shards (it made 278 of 1,809 training-shard images validation images), and
// no temporary file may pass for a shard. A complete re-run with fewer shards leaves no stale ones.
TEST(PrepareCli, AKilledReRunNeverLeavesAManifestThatDisagreesWithItsShards) {
  const auto dir = bt::scratch_dir(), out = dir / "out";
  const fs::path data = bt::shared_dir() / "data" / "taleqani";
  int status = 0;
  std::string text = prepare(data.string() + " --out " + out.string() + " --tfrecord --shards 4 --seed 1", status);
  ASSERT_EQ(status, 0) << text;
  ASSERT_EQ(shard_records_against_manifest(out), 0);

  bt::ChildProcess rerun({bt::blastscan_binary().string(), "prepare", data.string(), "--out", out.string(), "--tfrecord",
                          "--shards", "40", "--seed", "2", "--threads", "1"},
                         dir / "rerun.log");
  const fs::path first_new_shard = out / "taleqani_train_00000-of-00040.tfrecord";
  for (int i = 0; i < 6000 && !fs::exists(first_new_shard); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const int killed = rerun.stop(SIGKILL);
  ASSERT_TRUE(fs::exists(first_new_shard)) << rerun.log_text();
  if (killed == 128 + SIGKILL)  // killed among its shards: the old manifest is gone, not lying
    EXPECT_FALSE(fs::exists(out / "manifest.json"));
  else
    EXPECT_EQ(shard_records_against_manifest(out), 0);
  for (const auto& e : fs::directory_iterator(out))  // temporaries are hidden: nothing globs them
    EXPECT_TRUE(e.path().filename().string()[0] == '.' || e.path().filename().string().find(".tmp") == std::string::npos)
        << e.path();

  text = prepare(data.string() + " --out " + out.string() + " --tfrecord --shards 2 --seed 3", status);
  ASSERT_EQ(status, 0) << text;
  int shards = 0;
  for (const auto& e : fs::directory_iterator(out)) shards += e.path().extension() == ".tfrecord";
  EXPECT_EQ(shards, 4);  // 2 train + 2 validation; none of the 40 or the 4 from before
  EXPECT_EQ(shard_records_against_manifest(out), 0);
}
