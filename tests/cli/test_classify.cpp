// `blastscan classify` and `blastscan info` end to end: the real binary on real images.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "base/file_io.h"
#include "cli/model_fixture.h"
#include "common/result_text.h"

namespace blastscan {
namespace {

using testing::blastscan;

std::string idb(const std::string& name) { return (testing::shared_dir() / "data" / "all_idb2_lowres" / name).string(); }

int count_lines(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

TEST(Classify, TableRowsAndTheSeedsSummary) {
  std::string out;
  const std::string images = idb("Im001_1.jpg") + " " + idb("Im002_1.jpg") + " " + idb("Im141_0.jpg");
  ASSERT_EQ(blastscan("classify --model " + testing::small_model_pb().string() + " " + images, out), 0) << out;
  // Three rows, each with a verdict (the ALL-IDB names give the true class), then two summary lines.
  EXPECT_EQ(count_lines(out, "\n"), 3 + 2) << out;
  EXPECT_EQ(count_lines(out, "correct "), 3) << out;
  EXPECT_NE(out.find("3 classified"), std::string::npos) << out;
  EXPECT_NE(out.find(" low confidence: ("), std::string::npos) << out;
}

TEST(Classify, JsonAndCsvCarryTheSameResults) {
  std::string json_out, csv_out;
  const std::string args = "classify --model " + testing::small_model_pb().string() + " --threshold 0.9 " + idb("Im001_1.jpg") + " " + idb("Im141_0.jpg");
  ASSERT_EQ(blastscan(args + " --format json 2>/dev/null", json_out), 0) << json_out;
  ASSERT_EQ(blastscan(args + " --format csv 2>/dev/null", csv_out), 0) << csv_out;
  const auto j = nlohmann::json::parse(json_out);
  ASSERT_EQ(j["images"].size(), 2u);
  const auto& first = j["images"][0];
  EXPECT_EQ(first["true_class"], "ALL");
  const float confidence = first["confidence"];
  EXPECT_EQ(first["low_confidence"], confidence < 0.9f);
  EXPECT_NEAR(float(first["probabilities"]["healthy"]) + float(first["probabilities"]["ALL"]), 1.f, 1e-5);
  // In class-id order (healthy is class 0), not alphabetical: read the text, since parsing
  // into nlohmann::json would sort the keys again.
  const size_t healthy = json_out.find("\"healthy\":"), all = json_out.find("\"ALL\":", json_out.find("probabilities"));
  ASSERT_NE(healthy, std::string::npos) << json_out;
  EXPECT_LT(healthy, all) << json_out;
  EXPECT_EQ(first["correct"], first["class"] == "ALL");
  // Floats as the floats they are (0.003, not 0.003000000026077032).
  EXPECT_EQ(testing::widened_floats(json_out, {"probabilities", "confidence"}), std::vector<std::string>{});
  EXPECT_EQ(int(j["summary"]["correct"]) + int(j["summary"]["incorrect"]), 2);
  EXPECT_EQ(csv_out.rfind("path,class,confidence,", 0), 0u) << csv_out;
  EXPECT_EQ(count_lines(csv_out, "\n"), 3);
}

TEST(Classify, OneBadImageIsAnErrorRowAndTheRestAreClassified) {
  const auto dir = testing::scratch_dir();
  std::filesystem::copy_file(idb("Im001_1.jpg"), dir / "Im001_1.jpg");
  write_file_atomic(dir / "Im999_1.jpg", std::string("not a jpeg at all"));
  std::string out;
  EXPECT_EQ(blastscan("classify --model " + testing::small_model_pb().string() + " " + dir.string(), out), 2) << out;
  EXPECT_NE(out.find("blastscan: error: "), std::string::npos) << out;
  EXPECT_NE(out.find("Im999_1.jpg"), std::string::npos) << out;
  EXPECT_NE(out.find("1 classified"), std::string::npos) << out;
}

// File names are bytes: --format json stays valid JSON for a name that is not UTF-8 (it used
// to lose every result to nlohmann's exception), and the table escapes control characters so
// a name cannot forge a row or send escape sequences to the terminal.
TEST(Classify, NamesThatAreNotUtf8OrHoldControlsKeepJsonValidAndTheTableOneRowEach) {
  const auto dir = testing::scratch_dir();
  std::filesystem::copy_file(idb("Im001_1.jpg"), dir / "Im001_1.jpg");
  std::filesystem::copy_file(idb("Im002_1.jpg"), dir / "\xff\xfe.jpg");
  std::filesystem::copy_file(idb("Im141_0.jpg"), dir / "row\nfake ALL\x1b[31m.jpg");
  std::string out;
  ASSERT_EQ(blastscan("classify --format json --model " + testing::small_model_pb().string() + " " + dir.string(), out), 0)
      << out;
  const auto j = nlohmann::json::parse(out);
  ASSERT_EQ(j["images"].size(), 3u);
  EXPECT_EQ(j["summary"]["classified"], 3);

  ASSERT_EQ(blastscan("classify --model " + testing::small_model_pb().string() + " " + dir.string(), out), 0) << out;
  EXPECT_EQ(count_lines(out, "\n"), 3 + 2) << out;
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
  EXPECT_EQ(out.find('\xff'), std::string::npos) << out;
  EXPECT_NE(out.find("/row\\nfake ALL\\x1b[31m.jpg\n"), std::string::npos) << out;
  EXPECT_NE(out.find("/\\xff\\xfe.jpg\n"), std::string::npos) << out;
}

// One bad path is an error row, never the end of the run: a dangling link, a link loop and a
// folder named like an image, given on the command line or met in a folder. They made
// classify exit 1 with no result for the good images.
TEST(Classify, BadPathsAreErrorRowsBesideTheGoodImages) {
  const auto dir = testing::scratch_dir();
  namespace fs = std::filesystem;
  fs::create_directories(dir / "folder");
  fs::copy_file(idb("Im001_1.jpg"), dir / "good.jpg");
  fs::copy_file(idb("Im002_1.jpg"), dir / "folder" / "good2.jpg");
  fs::create_symlink(dir / "nowhere.jpg", dir / "dangling.jpg");
  fs::create_symlink("loop.jpg", dir / "loop.jpg");  // points at itself
  fs::create_symlink("loop2.jpg", dir / "folder" / "loop2.jpg");
  fs::create_directories(dir / "x.jpg");
  std::string out;
  const std::string model = testing::small_model_pb().string();
  EXPECT_EQ(blastscan("classify --model " + model + " " + (dir / "good.jpg").string() + " " + (dir / "dangling.jpg").string() +
                          " " + (dir / "loop.jpg").string() + " " + (dir / "x.jpg").string() + " " + (dir / "folder").string(),
                      out),
            2)
      << out;
  EXPECT_NE(out.find("2 classified (" ), std::string::npos) << out;
  EXPECT_NE(out.find(", 4 errors"), std::string::npos) << out;
  EXPECT_NE(out.find("dangling.jpg: dangling symbolic link"), std::string::npos) << out;
  EXPECT_NE(out.find("loop.jpg: cannot read: Too many levels of symbolic links"), std::string::npos) << out;
  EXPECT_NE(out.find("loop2.jpg: cannot read: Too many levels of symbolic links"), std::string::npos) << out;
  EXPECT_NE(out.find("x.jpg: is a directory"), std::string::npos) << out;
}

// A table row is as long as its path: rows were cut at 1,023 bytes, newline and all.
TEST(Classify, ATableRowWithAPathOver1023BytesIsWholeAndEndsItsLine) {
  auto dir = testing::scratch_dir();
  for (int i = 0; i < 5; ++i) dir /= std::string(220, char('a' + i));
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(idb("Im001_1.jpg"), dir / "Im001_1.jpg");
  ASSERT_GT((dir / "Im001_1.jpg").string().size(), 1100u);
  std::string out;
  ASSERT_EQ(blastscan("classify --model " + testing::small_model_pb().string() + " " + (dir / "Im001_1.jpg").string(), out), 0)
      << out;
  EXPECT_NE(out.find((dir / "Im001_1.jpg").string() + "\n1 classified"), std::string::npos) << out;
}

// Bad input: one line on stderr naming the thing and the problem, a non-zero exit, no crash.
void expect_clean_failure(const std::string& args, const std::string& needle) {
  std::string out;
  // Only stderr is captured: the error line must be there, alone.
  const int status = testing::run_command("{ " + testing::blastscan_binary().string() + " " + args + " 2>&1 >/dev/null; }", out);
  EXPECT_EQ(status, 1) << args << "\n" << out;
  EXPECT_NE(out.find(needle), std::string::npos) << args << "\n" << out;
  EXPECT_EQ(count_lines(out, "\n"), 1) << args << "\n" << out;
}

TEST(Classify, BadInputsFailCleanly) {
  const auto dir = testing::scratch_dir();
  const std::string model = " --model " + testing::small_model_pb().string() + " ";
  std::filesystem::create_directories(dir / "empty");
  expect_clean_failure("classify" + model + (dir / "empty").string(), "empty");
  expect_clean_failure("classify" + model + (dir / "missing.jpg").string(), "missing.jpg");
  // NaN compares false with both ends of a range: "nan" passed CLI11's range checks.
  expect_clean_failure("classify" + model + "--threshold nan " + idb("Im001_1.jpg"), "'nan' is not a finite number");
  expect_clean_failure("bench --seconds nan --random none", "'nan' is not a finite number");
  expect_clean_failure("serve" + model + "--request-timeout nan", "'nan' is not a finite number");
  write_file_atomic(dir / "only.jpg", std::string("\xff\xd8\xff\xe0 truncated"));
  expect_clean_failure("classify" + model + (dir / "only.jpg").string(), "only.jpg");
  // Model files: missing, garbage, truncated, a backbone without a head.
  expect_clean_failure("classify --model " + (dir / "nope.pb").string() + " " + idb("Im001_1.jpg"), "nope.pb");
  write_file_atomic(dir / "garbage.pb", std::string(1000, '\x07'));
  expect_clean_failure("classify --model " + (dir / "garbage.pb").string() + " " + idb("Im001_1.jpg"), "garbage.pb");
  const auto bytes = read_file(testing::small_model_pb());
  write_file_atomic(dir / "cut.pb", std::span(bytes.data(), bytes.size() / 3));
  expect_clean_failure("classify --model " + (dir / "cut.pb").string() + " " + idb("Im001_1.jpg"), "cut.pb");
  expect_clean_failure("classify --model " + testing::backbone_pb().string() + " " + idb("Im001_1.jpg"), "no classification head");
  expect_clean_failure("classify" + model + "--threshold 2 " + idb("Im001_1.jpg"), "threshold");
}

TEST(Classify, GrayscaleRgbaAnd16BitImagesAreClassified) {
  const auto dir = testing::scratch_dir();
  cv::Mat gray(60, 70, CV_8UC1, cv::Scalar(90)), rgba(60, 70, CV_8UC4, cv::Scalar(10, 200, 30, 128)),
      deep(60, 70, CV_16UC3, cv::Scalar(1000, 40000, 65535));
  ASSERT_TRUE(cv::imwrite((dir / "gray.png").string(), gray));
  ASSERT_TRUE(cv::imwrite((dir / "rgba.png").string(), rgba));
  ASSERT_TRUE(cv::imwrite((dir / "deep.png").string(), deep));
  ASSERT_TRUE(cv::imwrite((dir / "gray.tiff").string(), gray));
  std::string out;
  EXPECT_EQ(blastscan("classify --model " + testing::small_model_pb().string() + " " + dir.string(), out), 0) << out;
  EXPECT_NE(out.find("4 classified"), std::string::npos) << out;
}

TEST(Classify, TinyAndHugeImagesAreRefused) {
  const auto dir = testing::scratch_dir();
  const std::string model = " --model " + testing::small_model_pb().string() + " ";
  ASSERT_TRUE(cv::imwrite((dir / "tiny.png").string(), cv::Mat(8, 8, CV_8UC3, cv::Scalar(1, 2, 3))));
  expect_clean_failure("classify" + model + (dir / "tiny.png").string(), "tiny.png");
  // A real PNG whose header claims 20000x20000: refused from the header, before decoding.
  std::vector<uint8_t> png;
  cv::imencode(".png", cv::Mat(32, 32, CV_8UC3, cv::Scalar(5, 6, 7)), png);
  for (int offset : {16, 20}) {  // IHDR width, height (big-endian)
    png[size_t(offset) + 0] = 0, png[size_t(offset) + 1] = 0, png[size_t(offset) + 2] = 0x4e, png[size_t(offset) + 3] = 0x20;
  }
  write_file_atomic(dir / "huge.png", png);
  expect_clean_failure("classify" + model + (dir / "huge.png").string(), "huge.png");
}

TEST(Info, DescribesTheModel) {
  std::string out;
  ASSERT_EQ(blastscan("info " + testing::small_model_pb().string(), out), 0) << out;
  EXPECT_NE(out.find("end point:      Mixed_5b (35x35x256)"), std::string::npos) << out;
  EXPECT_NE(out.find("0:healthy, 1:ALL (ALL)"), std::string::npos) << out;
  EXPECT_NE(out.find("InceptionV3/Predictions/Softmax"), std::string::npos) << out;
  EXPECT_NE(out.find("parameters:"), std::string::npos) << out;
}

}  // namespace
}  // namespace blastscan
