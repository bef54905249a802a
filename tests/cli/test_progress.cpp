// The CLI draws the library's progress on a terminal (done/total, rate, ETA) and stays quiet
// when stderr is a pipe, as in logs and CI. The terminal is script(1)'s pseudo-terminal.
#include <gtest/gtest.h>

#include "cli/dataset_fixture.h"
#include "cli/model_fixture.h"

namespace blastscan {
namespace {

namespace fs = std::filesystem;

TEST(ProgressCli, DrawnOnATerminal) {
  const fs::path dir = testing::scratch_dir();
  const fs::path data = testing::copy_small_dataset(dir / "data", 3);
  const std::string command =
      testing::blastscan_binary().string() + " prepare " + data.string() + " --out " + (dir / "out").string();
  std::string out;
  ASSERT_EQ(testing::run_command("timeout 60 script -qec '" + command + "' /dev/null", out), 0) << out;
  EXPECT_NE(out.find("\rchecking images ["), std::string::npos) << out;
  EXPECT_NE(out.find("6/6"), std::string::npos) << out;
  EXPECT_NE(out.find(" img/s "), std::string::npos) << out;
}

TEST(ProgressCli, QuietWhenStderrIsNotATerminal) {
  const fs::path dir = testing::scratch_dir();
  const fs::path data = testing::copy_small_dataset(dir / "data", 3);
  std::string out;
  ASSERT_EQ(testing::blastscan("prepare " + data.string() + " --out " + (dir / "out").string(), out), 0) << out;
  EXPECT_EQ(out.find("checking images"), std::string::npos) << out;
  EXPECT_EQ(out.find('\r'), std::string::npos) << out;
  EXPECT_NE(out.find("wrote "), std::string::npos) << out;  // the summary is still there
}

}  // namespace
}  // namespace blastscan
