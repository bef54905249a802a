// Groups and the split: determinism, stratification, whole groups on one side, refusals.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "base/error.h"
#include "data/split.h"

using namespace blastscan;

namespace {

// Two classes, `per_class` images each, named like the taleqani files.
Dataset numbered_dataset(int per_class_a, int per_class_b) {
  Dataset ds;
  ds.classes = {"Benign", "Pro"};
  for (int c = 0; c < 2; ++c)
    for (int i = 1; i <= (c ? per_class_b : per_class_a); ++i) {
      char name[64];
      std::snprintf(name, sizeof name, "/d/%s/WBC-%s-%03d.jpg", ds.classes[c].c_str(), ds.classes[c].c_str(), i);
      ds.samples.push_back({.path = name, .label = c});
    }
  return ds;
}

std::vector<std::string> splits_of(const Dataset& ds) {
  std::vector<std::string> out;
  for (const auto& s : ds.samples) out.push_back(s.split);
  return out;
}

}  // namespace

TEST(GroupBy, ParsesSpecsAndRefusesOthers) {
  EXPECT_EQ(parse_group_by("none").kind, GroupBy::Kind::none);
  const GroupBy blocks = parse_group_by("blocks:25");
  EXPECT_EQ(blocks.kind, GroupBy::Kind::blocks);
  EXPECT_EQ(blocks.block, 25);
  EXPECT_EQ(parse_group_by("regex:^(P\\d+)_").pattern, "^(P\\d+)_");
  EXPECT_THROW(parse_group_by("blocks:0"), InputError);
  EXPECT_THROW(parse_group_by("blocks:x"), InputError);
  EXPECT_THROW(parse_group_by("regex:(unclosed"), InputError);
  EXPECT_THROW(parse_group_by("patients"), InputError);
}

TEST(GroupBy, BlocksOfConsecutiveNumbersPerClass) {
  Dataset ds = numbered_dataset(60, 30);
  assign_groups(ds, parse_group_by("blocks:25"));
  EXPECT_EQ(ds.samples[0].group, "Benign/0");    // 001
  EXPECT_EQ(ds.samples[23].group, "Benign/0");   // 024
  EXPECT_EQ(ds.samples[24].group, "Benign/1");   // 025
  EXPECT_EQ(ds.samples[59].group, "Benign/2");   // 060
  EXPECT_EQ(ds.samples[60].group, "Pro/0");
}

TEST(GroupBy, RegexCaptureOrWholeMatch) {
  Dataset ds;
  ds.classes = {"a", "b"};
  ds.samples = {{.path = "/x/P12_cell3.jpg", .label = 0}, {.path = "/x/P7_cell1.jpg", .label = 1}};
  assign_groups(ds, parse_group_by("regex:^(P\\d+)_"));
  EXPECT_EQ(ds.samples[0].group, "P12");
  EXPECT_EQ(ds.samples[1].group, "P7");
  assign_groups(ds, parse_group_by("regex:cell\\d"));
  EXPECT_EQ(ds.samples[0].group, "cell3");
  EXPECT_THROW(assign_groups(ds, parse_group_by("regex:^Q")), InputError);
}

TEST(Split, SameSeedSameSplitOtherSeedOther) {
  Dataset a = numbered_dataset(100, 80), b = a, c = a;
  split_dataset(a, 0.3, 50);
  split_dataset(b, 0.3, 50);
  split_dataset(c, 0.3, 51);
  EXPECT_EQ(splits_of(a), splits_of(b));
  EXPECT_NE(splits_of(a), splits_of(c));
}

TEST(Split, StratifiedToTheRequestedFraction) {
  Dataset ds = numbered_dataset(100, 80);
  split_dataset(ds, 0.3, 50);
  std::map<int, int> validation;
  for (const auto& s : ds.samples) validation[s.label] += s.split == kValidation;
  EXPECT_EQ(validation[0], 30);
  EXPECT_EQ(validation[1], 24);
}

TEST(Split, GroupsNeverStraddle) {
  Dataset ds = numbered_dataset(404, 654);
  assign_groups(ds, parse_group_by("blocks:25"));
  split_dataset(ds, 0.3, 50);
  std::map<std::string, std::set<std::string>> sides;
  std::map<int, int> validation, total;
  for (const auto& s : ds.samples) {
    sides[s.group].insert(s.split);
    validation[s.label] += s.split == kValidation;
    ++total[s.label];
  }
  for (const auto& [group, splits] : sides) EXPECT_EQ(splits.size(), 1u) << group;
  for (int c = 0; c < 2; ++c) EXPECT_NEAR(double(validation[c]) / total[c], 0.3, 0.05);  // whole groups of 25
}

TEST(Split, RefusesTooFewImagesOrGroups) {
  Dataset tiny = numbered_dataset(1, 10);
  EXPECT_THROW(split_dataset(tiny, 0.3, 50), InputError);
  Dataset one_group = numbered_dataset(20, 20);
  assign_groups(one_group, parse_group_by("blocks:25"));  // each class is a single block
  try {
    split_dataset(one_group, 0.3, 50);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("class Benign: 20 images in 1 groups are too few"), std::string::npos) << e.what();
  }
  Dataset ok = numbered_dataset(10, 10);
  EXPECT_THROW(split_dataset(ok, 0.0, 50), InputError);
  EXPECT_THROW(split_dataset(ok, 1.0, 50), InputError);
}

TEST(Split, TableCountsPerClass) {
  Dataset ds = numbered_dataset(10, 20);
  split_dataset(ds, 0.3, 50);
  const std::string table = format_split_table(ds);
  EXPECT_NE(table.find("Benign   0      10       7          3      10"), std::string::npos) << table;
  EXPECT_NE(table.find("total           30      21          9      30"), std::string::npos) << table;
}

// A pattern from the command line cannot crash or hang prepare: std::regex overflowed its stack
// on 30,000 nested parentheses and backtracked for ever on "(x+x+)+y". RE2 runs in linear time;
// the pattern length is bounded.
TEST(GroupBy, HostilePatternsAreRefusedOrRunInLinearTime) {
  const std::string nested = std::string(30000, '(') + "x" + std::string(30000, ')');
  try {
    parse_group_by("regex:" + nested);
    ADD_FAILURE() << "accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("more than 1000"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_group_by("regex:" + std::string(400, '(') + "x" + std::string(400, ')') + ")"), InputError);
  Dataset ds;
  ds.classes = {"a", "b"};
  ds.samples = {{.path = "/x/" + std::string(40, 'x') + ".jpg", .label = 0}};
  try {  // exponential for a backtracking engine; instant for RE2
    assign_groups(ds, parse_group_by("regex:(x+x+)+y"));
    ADD_FAILURE() << "matched";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("does not match the name"), std::string::npos) << e.what();
  }
}
