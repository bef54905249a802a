// `blastscan export` as users run it: ONNX that the ONNX checker accepts, with the classes in
// its metadata; a frozen GraphDef that imports back to the same model; and clear errors.
#include <gtest/gtest.h>
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include <fstream>

#include "common/paths.h"
#include "formats/graphdef.h"
#include "inception/random_model.h"

namespace blastscan {
namespace {

using namespace blastscan::testing;
namespace fs = std::filesystem;

class ExportCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = scratch_dir();
    Model model = make_random_model("Mixed_5b", 3, 31);
    model.classes = {"Benign", "Early", "Pro"};
    model.positive = {"Early", "Pro"};
    save_model(model, dir_ / "m.pb");
  }
  int export_model(const std::string& args, std::string& output) {
    return run_command(blastscan_binary().string() + " export --model " + (dir_ / "m.pb").string() + " " + args, output);
  }
  fs::path dir_;
};

TEST_F(ExportCli, OnnxPassesTheCheckerAndCarriesTheClasses) {
  std::string out;
  ASSERT_EQ(export_model("--out " + (dir_ / "m.onnx").string(), out), 0) << out;
  EXPECT_NE(out.find("ONNX opset 13"), std::string::npos) << out;
  EXPECT_NO_THROW(onnx::checker::check_model((dir_ / "m.onnx").string()));
  onnx::ModelProto proto;
  std::ifstream in(dir_ / "m.onnx", std::ios::binary);
  ASSERT_TRUE(proto.ParseFromIstream(&in));
  bool found = false;
  for (const auto& p : proto.metadata_props())
    if (p.key() == "classes") found = p.value() == R"(["Benign","Early","Pro"])";
  EXPECT_TRUE(found);
}

TEST_F(ExportCli, FormatFlagWinsOverTheExtension) {
  std::string out;
  ASSERT_EQ(export_model("--format onnx --out " + (dir_ / "model.bin").string(), out), 0) << out;
  EXPECT_NO_THROW(onnx::checker::check_model((dir_ / "model.bin").string()));
}

TEST_F(ExportCli, PbImportsBackToTheSameModel) {
  std::string out;
  ASSERT_EQ(export_model("--out " + (dir_ / "copy" / "m.pb").string(), out), 0) << out;
  EXPECT_EQ(load_model(dir_ / "copy" / "m.pb"), load_model(dir_ / "m.pb"));
  EXPECT_TRUE(fs::exists(dir_ / "copy" / "labels.txt"));
}

TEST_F(ExportCli, BadArgumentsGiveOneLineAndExit1) {
  std::string out;
  EXPECT_NE(export_model("--out " + (dir_ / "m.txt").string(), out), 0);
  EXPECT_NE(out.find("--format onnx|pb"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(dir_ / "m.txt"));
  EXPECT_NE(run_command(blastscan_binary().string() + " export --model " + (dir_ / "nope.pb").string() + " --out " +
                            (dir_ / "x.onnx").string(),
                        out),
            0);
  EXPECT_NE(out.find("nope.pb"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(dir_ / "x.onnx"));
}

// A model trained with --preprocessing gray exports to ONNX, and info names its recipe.
TEST_F(ExportCli, GrayModelExportsAndInfoDescribesIt) {
  Model model = make_random_model("Conv2d_2a_3x3", 2, 5);
  model.classes = {"healthy", "ALL"};
  model.preprocessing = "gray";
  save_model(model, dir_ / "gray.pb");
  std::string out;
  ASSERT_EQ(run_command(blastscan_binary().string() + " export --model " + (dir_ / "gray.pb").string() + " --out " +
                            (dir_ / "gray.onnx").string(), out), 0) << out;
  EXPECT_NO_THROW(onnx::checker::check_model((dir_ / "gray.onnx").string()));
  ASSERT_EQ(run_command(blastscan_binary().string() + " info " + (dir_ / "gray.pb").string(), out), 0) << out;
  EXPECT_NE(out.find("preprocessing:  gray: grayscale"), std::string::npos) << out;
  EXPECT_NE(out.find("histogram equalisation"), std::string::npos) << out;
}

}  // namespace
}  // namespace blastscan
