// classify --shard I/N --out FILE and merge, end to end: N shards merged print exactly what one
// run prints (the per-image time aside, which is a measurement), in every format; a missing,
// duplicated, foreign or edited shard is refused; a re-run skips a complete shard.
#include <gtest/gtest.h>

#include <regex>

#include <nlohmann/json.hpp>

#include "base/file_io.h"
#include "cli/model_fixture.h"
#include "common/result_text.h"

namespace blastscan {
namespace {

using testing::blastscan;
using testing::without_times;

// A folder of 11 images: ALL-IDB crops (their names give the true class) and one that is not an image.
std::filesystem::path image_folder() {
  const auto dir = testing::scratch_dir() / "images";
  std::filesystem::create_directories(dir);
  for (const char* name : {"Im001_1.jpg", "Im002_1.jpg", "Im003_1.jpg", "Im004_1.jpg", "Im005_1.jpg", "Im141_0.jpg",
                           "Im142_0.jpg", "Im143_0.jpg", "Im144_0.jpg", "Im145_0.jpg"})
    std::filesystem::copy_file(testing::shared_dir() / "data" / "all_idb2_lowres" / name, dir / name);
  write_file_atomic(dir / "Im099_1.jpg", std::string("not a jpeg"));
  return dir;
}

std::string classify_args(const std::filesystem::path& images) {
  return "classify --model " + testing::small_model_pb().string() + " " + images.string();
}

void write_shards(const std::filesystem::path& images, int count, const std::filesystem::path& dir) {
  for (int i = 0; i < count; ++i) {
    std::string out;
    const auto file = dir / ("shard-" + std::to_string(i) + ".json");
    ASSERT_EQ(blastscan(classify_args(images) + " --shard " + std::to_string(i) + "/" + std::to_string(count) +
                            " --out " + file.string(), out), 0) << out;
  }
}

TEST(ShardMerge, MergedShardsPrintWhatOneRunPrints) {
  const auto images = image_folder();
  const auto dir = images.parent_path();
  write_shards(images, 3, dir);
  // Any order of shard files gives the list's order.
  const std::string shards = (dir / "shard-2.json").string() + " " + (dir / "shard-0.json").string() + " " +
                             (dir / "shard-1.json").string();
  for (const std::string format : {"json", "csv", "table"}) {
    std::string one, merged;
    EXPECT_EQ(blastscan(classify_args(images) + " --format " + format + " 2>/dev/null", one), 2) << one;
    EXPECT_EQ(blastscan("merge --format " + format + " " + shards + " 2>/dev/null", merged), 2) << merged;
    EXPECT_EQ(without_times(merged), without_times(one)) << format;
    EXPECT_NE(without_times(one), one) << "the times were not found in the " << format << " output";
  }
  std::string table;
  blastscan("merge " + shards + " 2>/dev/null", table);
  // The summary counts every shard's rows: 10 images with a true class, one error.
  EXPECT_NE(table.find("10 classified ("), std::string::npos) << table;
  EXPECT_NE(table.find("), 1 errors\n"), std::string::npos) << table;
  std::smatch seed;
  ASSERT_TRUE(std::regex_search(table, seed, std::regex("(\\d+) correct, (\\d+) incorrect, "))) << table;
  EXPECT_EQ(std::stoi(seed[1]) + std::stoi(seed[2]), 10) << table;
  // --out writes the same text atomically: only the named file appears.
  std::string out;
  ASSERT_EQ(blastscan("merge --format csv --out " + (dir / "merged.csv").string() + " " + shards, out), 2) << out;
  std::string csv;
  blastscan("merge --format csv " + shards + " 2>/dev/null", csv);
  EXPECT_EQ(read_text_file(dir / "merged.csv"), csv);
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) files += entry.is_regular_file();
  EXPECT_EQ(files, 4);  // three shards and merged.csv, no temporaries
}

void expect_merge_refused(const std::string& shards, const std::string& needle) {
  std::string out;
  const int status = testing::run_command(
      "{ " + testing::blastscan_binary().string() + " merge " + shards + " 2>&1 >/dev/null; }", out);
  EXPECT_EQ(status, 1) << shards << "\n" << out;
  EXPECT_NE(out.find(needle), std::string::npos) << shards << "\n" << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
}

TEST(ShardMerge, MissingDuplicatedForeignAndEditedShardsAreRefused) {
  const auto images = image_folder();
  const auto dir = images.parent_path();
  write_shards(images, 3, dir);
  const auto s = [&](int i) { return (dir / ("shard-" + std::to_string(i) + ".json")).string() + " "; };
  expect_merge_refused(s(0) + s(2), "shard 1 of 3 missing (resubmit: sbatch --array=1");
  expect_merge_refused(s(0) + s(1) + s(1) + s(2), "duplicate shard 1/3");
  // Another N, another input list, another model.
  std::string out;
  ASSERT_EQ(blastscan(classify_args(images) + " --shard 1/2 --out " + (dir / "n2.json").string(), out), 0) << out;
  expect_merge_refused(s(0) + s(1) + s(2) + (dir / "n2.json").string(), "foreign shard (N = 2, not 3");
  ASSERT_EQ(blastscan(classify_args(images) + " " + images.string() + "/Im001_1.jpg --shard 1/3 --out " +
                          (dir / "list.json").string(), out), 0) << out;
  expect_merge_refused(s(0) + (dir / "list.json").string() + " " + s(2), "foreign shard (another input list");
  ASSERT_EQ(blastscan(classify_args(images) + " --threshold 0.9 --shard 1/3 --out " + (dir / "threshold.json").string(),
                      out), 0) << out;
  expect_merge_refused(s(0) + (dir / "threshold.json").string() + " " + s(2), "foreign shard (other classify settings");
  Model other = make_random_model("Mixed_5b", 2, 99);
  other.classes = {"healthy", "ALL"};
  save_model(other, dir / "other.pb");
  ASSERT_EQ(blastscan("classify --model " + (dir / "other.pb").string() + " " + images.string() + " --shard 2/3 --out " +
                          (dir / "model.json").string(), out), 0) << out;
  expect_merge_refused(s(0) + s(1) + (dir / "model.json").string(), "foreign shard (another model");
  // Rows swapped between two shards of equal size (1 and 2: 4 rows each): counts fit, the list does not.
  auto second = nlohmann::json::parse(read_text_file(dir / "shard-1.json")),
       third = nlohmann::json::parse(read_text_file(dir / "shard-2.json"));
  std::swap(second["images"], third["images"]);
  write_file_atomic(dir / "edited-1.json", second.dump(1));
  write_file_atomic(dir / "edited-2.json", third.dump(1));
  expect_merge_refused(s(0) + (dir / "edited-1.json").string() + " " + (dir / "edited-2.json").string(),
                       "not the input list");
  // Not a shard file at all: classify's own JSON output.
  ASSERT_EQ(blastscan(classify_args(images) + " --format json --out " + (dir / "plain.json").string(), out), 2) << out;
  expect_merge_refused((dir / "plain.json").string(), "not a shard file");
  expect_merge_refused((dir / "nope.json").string(), "nope.json: no such file");
}

TEST(ShardMerge, AReRunSkipsACompleteShardAndRedoesADamagedOne) {
  const auto images = image_folder();
  const auto dir = images.parent_path();
  const auto file = dir / "shard.json";
  std::string out;
  // I and N from Slurm's array variables.
  ASSERT_EQ(testing::run_command("env SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=2 " +
                                     testing::blastscan_binary().string() + " " + classify_args(images) +
                                     " --shard / --out " + file.string(), out), 0) << out;
  EXPECT_NE(out.find("shard 1/2: 6 of 11 images"), std::string::npos) << out;
  const std::string text = read_text_file(file);
  EXPECT_NE(text.find("\"index\": 1"), std::string::npos);
  ASSERT_EQ(blastscan(classify_args(images) + " --shard 1/2 --out " + file.string(), out), 0) << out;
  EXPECT_NE(out.find("already complete"), std::string::npos) << out;
  EXPECT_EQ(read_text_file(file), text);
  write_file_atomic(file, text.substr(0, text.size() - 40));  // as if cut short by hand
  ASSERT_EQ(blastscan(classify_args(images) + " --shard 1/2 --out " + file.string(), out), 0) << out;
  EXPECT_EQ(out.find("already complete"), std::string::npos) << out;
  EXPECT_EQ(without_times(read_text_file(file)), without_times(text));
}

TEST(ShardMerge, BadShardFlagsFailCleanly) {
  const auto images = image_folder();
  for (const auto& [flags, needle] : std::vector<std::pair<std::string, std::string>>{
           {"--shard 0/2", "--shard needs --out"},
           {"--shard 2/2 --out x.json", "I must be 0..1"},
           {"--shard 0/2 --out x.json --format csv", "choose the format at merge"},
           {"--shard /2 --out x.json", "SLURM_ARRAY_TASK_ID is not set"}}) {
    std::string out;
    const int status = testing::run_command("{ env -u SLURM_ARRAY_TASK_ID " + testing::blastscan_binary().string() + " " +
                                                classify_args(images) + " " + flags + " 2>&1 >/dev/null; }", out);
    EXPECT_EQ(status, 1) << flags << "\n" << out;
    EXPECT_NE(out.find(needle), std::string::npos) << flags << "\n" << out;
  }
}

}  // namespace
}  // namespace blastscan
