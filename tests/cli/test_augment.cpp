// `blastscan augment` end to end: only the training split is augmented, the validation rows
// stay, every output names its source, and an unsplit dataset is refused.
#include <gtest/gtest.h>

#include <set>

#include <nlohmann/json.hpp>

#include "base/file_io.h"
#include "common/paths.h"
#include "dataset_fixture.h"

using namespace blastscan;
namespace bt = blastscan::testing;
namespace fs = std::filesystem;

namespace {

std::string run(const std::string& args, int& status) {
  std::string out;
  status = bt::run_command(bt::blastscan_binary().string() + " " + args, out);
  return out;
}

}  // namespace

TEST(AugmentCli, AugmentsTheTrainingSplitOnly) {
  const auto dir = bt::scratch_dir();
  const auto data = bt::copy_small_dataset(dir / "data", 5);
  int status = 0;
  std::string text = run("prepare " + data.string() + " --out " + (dir / "prep").string() + " --val 0.4", status);
  ASSERT_EQ(status, 0) << text;
  // --data, as the README and every data-reading command have it.
  text = run("augment --data " + (dir / "prep").string() + " --out " + (dir / "aug").string() + " --rotations 2 --size 64", status);
  ASSERT_EQ(status, 0) << text;
  EXPECT_NE(text.find("made 54 training images from 6 sources"), std::string::npos) << text;  // 6 x (7 + 2)
  EXPECT_TRUE(fs::exists(dir / "aug" / "contact_sheet.png"));

  const auto prep = nlohmann::json::parse(read_text_file(dir / "prep" / "manifest.json"));
  const auto aug = nlohmann::json::parse(read_text_file(dir / "aug" / "manifest.json"));
  std::set<std::string> train_sources, validation;
  for (const auto& s : prep["samples"]) {
    const auto path = fs::weakly_canonical(dir / "prep" / s["path"].get<std::string>()).string();
    (s["split"] == "train" ? train_sources : validation).insert(path);
  }
  size_t augmented = 0, kept = 0;
  for (const auto& s : aug["samples"]) {
    if (s["split"] == "validation") {
      ++kept;
      EXPECT_TRUE(validation.count(fs::weakly_canonical(dir / "aug" / s["path"].get<std::string>()).string()));
      continue;
    }
    ++augmented;
    const auto source = fs::weakly_canonical(dir / "aug" / s["source"].get<std::string>()).string();
    EXPECT_TRUE(train_sources.count(source)) << source;  // never made from a validation image
    EXPECT_TRUE(fs::exists(dir / "aug" / s["path"].get<std::string>()));
  }
  EXPECT_EQ(augmented, 54u);
  EXPECT_EQ(kept, validation.size());
}

TEST(AugmentCli, RefusesUnsplitDataAndBadOptions) {
  const auto dir = bt::scratch_dir();
  const auto data = bt::copy_small_dataset(dir / "data", 3);
  int status = 0;
  std::string text = run("augment " + data.string() + " --out " + (dir / "aug").string(), status);
  EXPECT_EQ(status, 1);
  EXPECT_NE(text.find("no 'train' images (split it first"), std::string::npos) << text;
  run("prepare " + data.string() + " --out " + (dir / "prep").string() + " --val 0.34", status);
  text = run("augment " + (dir / "prep").string() + " --out " + (dir / "aug").string() + " --ops gray,sepia", status);
  EXPECT_EQ(status, 1);
  EXPECT_NE(text.find("unknown augmentation 'sepia'"), std::string::npos) << text;
  EXPECT_FALSE(fs::exists(dir / "aug" / "manifest.json"));
}
