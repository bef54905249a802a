// blastscan quantize and --precision end to end: a model trained on the shared backbone is
// calibrated on real images; the calibration survives the file (info shows it, int8 runs
// without calibrating again, the fp32 graph is unchanged for other runtimes), and int8 and
// bf16 give fp32's class on a small fixed set of real images.
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "cli/train_fixture.h"
#include "formats/graphdef.h"

namespace blastscan {
namespace {

namespace fs = std::filesystem;
using testing::blastscan;

// image file name -> class, from classify --format csv (header: path,class,...).
std::map<std::string, std::string> classes_of(const std::string& csv) {
  std::map<std::string, std::string> out;
  std::istringstream in(csv);
  std::string line;
  // The output mixes stderr in: a CPU without bf16 says "blastscan: ... running fp32" first.
  while (std::getline(in, line) && line.rfind("path,class,", 0) != 0) continue;
  while (std::getline(in, line)) {
    if (line.rfind("blastscan: ", 0) == 0) continue;
    const auto comma = line.find(',');
    if (comma == std::string::npos) continue;
    const auto next = line.find(',', comma + 1);
    out[fs::path(line.substr(0, comma)).filename().string()] = line.substr(comma + 1, next - comma - 1);
  }
  return out;
}

TEST(QuantizeCli, CalibratedModelAgreesWithFp32AndKeepsItsGraph) {
  const fs::path dir = testing::scratch_dir(), run = dir / "run";
  const fs::path data = testing::copy_small_dataset(dir / "data", 20);
  std::string out;
  ASSERT_EQ(testing::train_small(data, run, "--epochs 8", out), 0) << out;
  const fs::path fp32 = run / "model.pb", int8 = dir / "model.int8.pb";

  ASSERT_EQ(blastscan("quantize --model " + fp32.string() + " --calibrate " + data.string() + " --images 16 --out " +
                          int8.string(), out), 0) << out;
  ASSERT_EQ(blastscan("info " + int8.string(), out), 0) << out;
  EXPECT_NE(out.find("int8:           calibrated on 16 images"), std::string::npos) << out;
  // Same weights and head: only the metadata differs.
  Model a = load_model(fp32), b = load_model(int8);
  EXPECT_FALSE(b.activation_max.empty());
  b.activation_max.clear();
  b.calibration_images = 0;
  EXPECT_TRUE(a == b);

  // The int8 precision needs the calibration: the uncalibrated file is refused in one line.
  EXPECT_EQ(blastscan("classify --precision int8 --model " + fp32.string() + " " + data.string(), out), 1);
  EXPECT_NE(out.find("blastscan quantize"), std::string::npos) << out;

  std::map<std::string, std::map<std::string, std::string>> by_precision;
  for (const std::string p : {"fp32", "bf16", "int8"}) {
    ASSERT_EQ(blastscan("classify --format csv --precision " + p + " --model " + int8.string() + " " + data.string(), out), 0)
        << p << ": " << out;
    by_precision[p] = classes_of(out);
    ASSERT_EQ(by_precision[p].size(), 40u) << p << ": " << out;
  }
  for (const std::string p : {"bf16", "int8"}) {
    int agree = 0;
    for (const auto& [file, label] : by_precision["fp32"]) agree += by_precision[p].at(file) == label;
    EXPECT_GE(agree, 39) << p << " agrees with fp32 on " << agree << " of 40 images";
  }
}

TEST(QuantizeCli, BadInputIsOneClearLine) {
  const fs::path dir = testing::scratch_dir();
  std::string out;
  EXPECT_EQ(blastscan("quantize --model " + testing::small_model_pb().string() + " --calibrate " + (dir / "none").string() +
                          " --out " + (dir / "q.pb").string(), out), 1);
  EXPECT_FALSE(fs::exists(dir / "q.pb"));
  EXPECT_EQ(blastscan("classify --precision fp16 --model " + testing::small_model_pb().string() + " x.jpg", out), 1);
  EXPECT_NE(out.find("--precision"), std::string::npos) << out;
}

}  // namespace
}  // namespace blastscan
