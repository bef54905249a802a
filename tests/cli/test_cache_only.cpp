// train --cache-only [--shard I/N]: shards fill one bottleneck cache, concurrently, and a train
// run with the same data then computes no feature at all.
#include <gtest/gtest.h>

#include <regex>

#include "cli/dataset_fixture.h"
#include "cli/model_fixture.h"

namespace blastscan {
namespace {

using testing::blastscan;

std::string cache_only(const std::filesystem::path& data, const std::filesystem::path& cache, const std::string& flags) {
  return testing::blastscan_binary().string() + " train --cache-only --backbone " + testing::small_model_pb().string() +
         " --data " + data.string() + " --cache " + cache.string() + " " + flags;
}

// Runs two commands at the same time; 0 when both exit 0. Output of both goes to `output`.
int run_both(const std::string& first, const std::string& second, std::string& output) {
  return testing::run_command("{ " + first + " & p=$!; " + second + "; b=$?; wait $p; a=$?; [ $a -eq 0 ] && [ $b -eq 0 ]; }",
                              output);
}

// Views computed, summed over the "N computed" of every line of a --cache-only or train output.
int computed(const std::string& output) {
  static const std::regex number("(\\d+) computed");
  int sum = 0;
  for (auto it = std::sregex_iterator(output.begin(), output.end(), number); it != std::sregex_iterator(); ++it)
    sum += std::stoi((*it)[1]);
  return sum;
}

int train_computed(const std::filesystem::path& data, const std::filesystem::path& cache, const std::filesystem::path& out) {
  std::string output;
  EXPECT_EQ(blastscan("train --backbone " + testing::small_model_pb().string() + " --data " + data.string() + " --out " +
                          out.string() + " --cache " + cache.string() + " --epochs 2",
                      output), 0)
      << output;
  EXPECT_NE(output.find("features: "), std::string::npos) << output;
  return computed(output);
}

TEST(CacheOnly, ShardsFillTheCacheAndTrainThenRunsWarm) {
  const auto dir = testing::scratch_dir();
  const auto data = testing::copy_small_dataset(dir / "data", 10);
  std::string out;
  // Two shards at once, as two array tasks would run.
  ASSERT_EQ(run_both(cache_only(data, dir / "cache", "--shard 0/2"), cache_only(data, dir / "cache", "--shard 1/2"), out), 0)
      << out;
  EXPECT_EQ(computed(out), 20) << out;  // 20 images, no distortions, each computed by one shard
  EXPECT_EQ(train_computed(data, dir / "cache", dir / "run"), 0);
  // A fresh cache: train computes every feature, so the check above can fail.
  EXPECT_EQ(train_computed(data, dir / "cold", dir / "run-cold"), 20);
}

TEST(CacheOnly, ConcurrentWritersOfTheSameEntriesLeaveAValidCache) {
  const auto dir = testing::scratch_dir();
  const auto data = testing::copy_small_dataset(dir / "data", 10);
  std::string out;
  // Both processes compute and write every entry of the same list into one cache at the same time.
  const std::string each = cache_only(data, dir / "cache", "--distortions 1");
  ASSERT_EQ(run_both(each, each, out), 0) << out;
  const std::string line = "cache shard 0/1: 14 training images, 28 views";
  ASSERT_NE(out.find(line), std::string::npos) << out;
  EXPECT_NE(out.find(line, out.find(line) + 1), std::string::npos) << out;  // both processes
  // Every entry is whole: a train with the same settings reads them all and computes nothing.
  std::string output;
  ASSERT_EQ(blastscan("train --backbone " + testing::small_model_pb().string() + " --data " + data.string() + " --out " +
                          (dir / "run").string() + " --cache " + (dir / "cache").string() + " --epochs 2 --distortions 1",
                      output), 0)
      << output;
  EXPECT_EQ(computed(output), 0) << output;
  // No temporaries left beside the entries.
  int temporaries = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir / "cache"))
    temporaries += e.path().string().find(".tmp") != std::string::npos;
  EXPECT_EQ(temporaries, 0);
}

// --precision is part of the cache key: the shards' int8 features are the ones an int8 train
// finds, and an fp32 train computes its own (--cache-only once ignored --precision).
TEST(CacheOnly, FillsTheCacheOfItsPrecision) {
  const auto dir = testing::scratch_dir();
  const auto data = testing::copy_small_dataset(dir / "data", 10);
  const auto int8_model = dir / "small.int8.pb";
  std::string out;
  ASSERT_EQ(blastscan("quantize --model " + testing::small_model_pb().string() + " --calibrate " + data.string() +
                          " --images 4 --out " + int8_model.string(), out), 0)
      << out;
  const std::string backbone = " --backbone " + int8_model.string() + " --data " + data.string() + " --cache " +
                               (dir / "cache").string();
  ASSERT_EQ(blastscan("train --cache-only --precision int8" + backbone, out), 0) << out;
  EXPECT_EQ(computed(out), 20) << out;
  const auto train = [&](const std::string& precision, const std::string& run) {
    std::string output;
    EXPECT_EQ(blastscan("train --precision " + precision + backbone + " --out " + (dir / run).string() + " --epochs 2", output), 0)
        << output;
    return computed(output);
  };
  EXPECT_EQ(train("int8", "run-int8"), 0);
  EXPECT_EQ(train("fp32", "run-fp32"), 20);
}

TEST(CacheOnly, BadFlagsFailCleanly) {
  const auto dir = testing::scratch_dir();
  const auto data = testing::copy_small_dataset(dir / "data", 3);
  const std::string train = "train --backbone " + testing::small_model_pb().string() + " --data " + data.string();
  for (const auto& [flags, needle] : std::vector<std::pair<std::string, std::string>>{
           {"--shard 0/2 --out r", "only with --cache-only"},
           {"--cache-only --resume", "drop --resume"},
           {"--cache-only --shard 4/4", "I must be 0..3"},
           {"", "--out RUN_DIR is required"}}) {
    std::string out;
    EXPECT_EQ(testing::run_command("{ " + testing::blastscan_binary().string() + " " + train + " " + flags +
                                       " 2>&1 >/dev/null; }", out), 1)
        << flags << "\n" << out;
    EXPECT_NE(out.find(needle), std::string::npos) << flags << "\n" << out;
  }
}

}  // namespace
}  // namespace blastscan
