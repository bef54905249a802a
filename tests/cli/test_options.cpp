// Options declared once: `train` has a flag for every row of the training settings table, and
// every subcommand with --threshold shows the one default, kDefaultThreshold.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "cli/model_fixture.h"
#include "predict/predictor.h"
#include "train/config.h"

namespace blastscan {
namespace {

using testing::blastscan;

TEST(OptionTable, TrainHasAFlagForEverySetting) {
  std::string help;
  ASSERT_EQ(blastscan("train --help", help), 0) << help;
  for (const auto& row : train_settings()) {
    const std::string flag = row.spec.flag_names().substr(0, row.spec.flag_names().find(','));
    EXPECT_NE(help.find(flag + " "), std::string::npos) << flag << " (config key " << row.spec.key << ")\n" << help;
    EXPECT_NE(help.find(row.spec.help.substr(0, 20)), std::string::npos) << row.spec.key;
  }
}

TEST(OptionTable, EveryThresholdDefaultIsTheOne) {
  const std::string shown = fmt::format("={}\n", kDefaultThreshold);  // "=0.8"
  for (const char* command : {"classify", "evaluate", "serve"}) {
    std::string help;
    ASSERT_EQ(blastscan(std::string(command) + " --help", help), 0) << help;
    const size_t at = help.find("--threshold");
    ASSERT_NE(at, std::string::npos) << command << "\n" << help;
    EXPECT_NE(help.substr(at, help.find('\n', at) - at + 1).find(shown), std::string::npos) << command << "\n" << help;
  }
}

TEST(OptionTable, AFlagOutOfItsRangeIsRefusedNamingIt) {
  std::string out;
  EXPECT_EQ(blastscan("train --data x --out y --dropout-keep 1.5", out), 1) << out;
  EXPECT_NE(out.find("--dropout-keep"), std::string::npos) << out;
  EXPECT_EQ(blastscan("classify --model m.pb --threshold 2 x.png", out), 1) << out;
  EXPECT_NE(out.find("--threshold"), std::string::npos) << out;
}

// The tiling and output flags of classify come from the table (cli/options.cpp) and keep the
// checks the subcommand had: ranges, and --tile excluding --no-tile.
TEST(OptionTable, ClassifyScanningFlagsAreDeclaredWithTheirChecks) {
  std::string help;
  ASSERT_EQ(blastscan("classify --help", help), 0) << help;
  for (const char* flag : {"--tile ", "--no-tile ", "--stride ", "--tile-batch ", "--min-all-tiles ", "--level ",
                           "--pixel-size ", "--heatmap ", "--explain ", "--shard ", "-o,--out "})
    EXPECT_NE(help.find(flag), std::string::npos) << flag << "\n" << help;
  EXPECT_NE(help.find("--tile-batch INT:in [1 - 1024]=16"), std::string::npos) << help;
  std::string out;
  for (const char* refused : {"--tile 8", "--tile 64 --no-tile", "--pixel-size 0", "--level 65", "--tile-batch 0"}) {
    EXPECT_EQ(blastscan(std::string("classify --model m.pb ") + refused + " x.png", out), 1) << refused << "\n" << out;
    const std::string flag = std::string(refused).substr(0, std::string(refused).find(' '));
    EXPECT_NE(out.find(flag), std::string::npos) << refused << "\n" << out;
  }
  std::string train_help;
  ASSERT_EQ(blastscan("train --help", train_help), 0) << train_help;
  EXPECT_NE(train_help.find("--cache-only "), std::string::npos) << train_help;
}

}  // namespace
}  // namespace blastscan
