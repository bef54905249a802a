// Shards: the cut of an input list (each item exactly once, in order, sizes within one), I/N
// parsing with Slurm's defaults, and shard files read back exactly as written.
#include <gtest/gtest.h>

#include "base/error.h"
#include "predict/shard.h"

namespace blastscan {
namespace {

TEST(Shard, RangesCoverTheListOnceInOrderWithinOneItemOfEachOther) {
  for (size_t size : {0u, 1u, 2u, 7u, 36u, 101u})
    for (int count : {1, 2, 3, 8, 40}) {
      size_t next = 0, smallest = size, largest = 0;
      for (int i = 0; i < count; ++i) {
        const auto [begin, end] = shard_range(size, {i, count});
        EXPECT_EQ(begin, next) << size << " " << i << "/" << count;
        ASSERT_LE(begin, end);
        smallest = std::min(smallest, end - begin);
        largest = std::max(largest, end - begin);
        next = end;
      }
      EXPECT_EQ(next, size) << size << " in " << count;
      EXPECT_LE(largest - smallest, 1u) << size << " in " << count;
    }
}

TEST(Shard, SpecTakesEmptyPartsFromSlurm) {
  const auto s = parse_shard_spec("3/8", nullptr, nullptr);
  EXPECT_EQ(s.index, 3);
  EXPECT_EQ(s.count, 8);
  const auto env = parse_shard_spec("/", "5", "6");
  EXPECT_EQ(env.index, 5);
  EXPECT_EQ(env.count, 6);
  // An explicit N wins over the array's count: a resubmitted --array=2 has a count of 1.
  const auto resubmitted = parse_shard_spec("/8", "2", "1");
  EXPECT_EQ(resubmitted.index, 2);
  EXPECT_EQ(resubmitted.count, 8);
}

void expect_refused(const char* text, const char* index, const char* count, const std::string& needle) {
  try {
    parse_shard_spec(text, index, count);
    ADD_FAILURE() << text << " was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(Shard, BadSpecsAreRefusedWithTheReason) {
  expect_refused("3", nullptr, nullptr, "expected I/N");
  expect_refused("8/8", nullptr, nullptr, "I must be 0..7");
  expect_refused("1/0", nullptr, nullptr, "at least 1");
  expect_refused("a/4", nullptr, nullptr, "'a' is not a whole number");
  expect_refused("-1/4", nullptr, nullptr, "not a whole number");
  expect_refused("/4", nullptr, nullptr, "SLURM_ARRAY_TASK_ID is not set");
  expect_refused("1/", nullptr, nullptr, "SLURM_ARRAY_TASK_COUNT is not set");
  expect_refused("/4", "4", nullptr, "--array=0-3");  // an array numbered from 1
}

ShardFile sample_shard() {
  ShardFile shard;
  shard.header = {{1, 2}, "aa", "bb", 3, classify_settings(0.8f, {}), {"healthy", "ALL"}};
  ImageResult ok;
  ok.path = "data/Im001_1.jpg";
  ok.true_class = "ALL";
  ok.prediction = Prediction{1, "ALL", 0.73125f, {0.26875f, 0.73125f}, true, true, 12.25};
  ImageResult bad;
  bad.path = "data/broken, \"quoted\".jpg";
  bad.error = "data/broken.jpg: not an image";
  shard.results = {ok, bad};
  return shard;
}

TEST(Shard, FileReadsBackAsWritten) {
  const ShardFile shard = sample_shard();
  const std::string text = shard_file_text(shard);
  const ShardFile back = parse_shard_file(text, "s.json");
  EXPECT_EQ(back.header.shard.index, 1);
  EXPECT_EQ(back.header.shard.count, 2);
  EXPECT_EQ(back.header.model_sha256, "aa");
  EXPECT_EQ(back.header.classes, shard.header.classes);
  ASSERT_EQ(back.results.size(), 2u);
  EXPECT_EQ(back.results[0].prediction->probabilities, shard.results[0].prediction->probabilities);
  EXPECT_EQ(back.results[0].prediction->ms, 12.25);
  EXPECT_EQ(back.results[1].error, shard.results[1].error);
  EXPECT_EQ(shard_file_text(back), text);
}

TEST(Shard, APathThatIsNotUtf8HashesAlikeBeforeAndAfterTheFile) {
  ShardFile shard = sample_shard();
  shard.results[1].path = "data/Pr\xe4parat.jpg";  // Latin-1, not UTF-8
  const ShardFile back = parse_shard_file(shard_file_text(shard), "s.json");
  EXPECT_NE(back.results[1].path, shard.results[1].path);  // U+FFFD in place of the byte
  EXPECT_EQ(input_list_sha256({back.results[0].path, back.results[1].path}),
            input_list_sha256({shard.results[0].path, shard.results[1].path}));
  EXPECT_NE(input_list_sha256({back.results[1].path, back.results[0].path}),
            input_list_sha256({shard.results[0].path, shard.results[1].path}));
}

void expect_damaged(const std::string& text, const std::string& needle) {
  try {
    parse_shard_file(text, "s.json");
    ADD_FAILURE() << "accepted: " << text.substr(0, 200);
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("s.json: ", 0), 0u) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(Shard, DamagedFilesAreRefusedNamingTheFile) {
  const std::string text = shard_file_text(sample_shard());
  expect_damaged(text.substr(0, text.size() / 2), "not JSON");
  expect_damaged("{\"images\": []}", "no \"shard\" header");
  expect_damaged("[1,2]", "no \"shard\" header");
  ShardFile short_one = sample_shard();
  short_one.results.pop_back();  // 3 inputs in 2 shards: shard 1 holds 2 rows
  expect_damaged(shard_file_text(short_one), "has 1 rows, expected 2");
  ShardFile wrong_class = sample_shard();
  wrong_class.results[0].prediction->class_id = 0;
  expect_damaged(shard_file_text(wrong_class), "is not class 'ALL'");
  std::string no_field = text;
  no_field.replace(no_field.find("\"confidence\""), 12, "\"confidenze\"");
  expect_damaged(no_field, "confidence");
}

}  // namespace
}  // namespace blastscan
