// `blastscan evaluate` end to end on a small trained model: report.json agrees with what
// training measured on the same validation split (the cached-feature path and the training
// path are the same computation), report.html is written, the binary ALL view follows
// --positive, and bad input is refused with one line.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/file_io.h"
#include "cli/train_fixture.h"

namespace blastscan {
namespace {

namespace fs = std::filesystem;
using testing::blastscan;

struct TrainedRun {
  fs::path dir = testing::scratch_dir(), run = dir / "run";
  fs::path data = testing::copy_small_dataset(dir / "data", 12);
  TrainedRun() {
    std::string out;
    EXPECT_EQ(testing::train_small(data, run, "--epochs 6", out), 0) << out;
  }
  int evaluate(const std::string& args, std::string& out) const {
    return blastscan("evaluate --model " + (run / "model.pb").string() + " --cache " +
                         testing::shared_test_cache().string() + " " + args, out);
  }
};

TEST(EvaluateCli, ReportAgreesWithTrainingOnTheValidationSplit) {
  const TrainedRun t;
  std::string out;
  ASSERT_EQ(t.evaluate("--data " + t.run.string(), out), 0) << out;
  EXPECT_NE(out.find("validation split"), std::string::npos) << out;
  EXPECT_NE(out.find("low confidence"), std::string::npos) << out;
  const auto report = nlohmann::json::parse(read_text_file(t.run / "evaluation" / "report.json"));
  const auto card = nlohmann::json::parse(read_text_file(t.run / "model_card.json"));
  EXPECT_NEAR(report["metrics"]["accuracy"].get<double>(), card["metrics"]["val_accuracy"].get<double>(), 1e-6);
  EXPECT_EQ(report["split"], "validation");
  EXPECT_EQ(report["metrics"]["n"].get<int>(), card["data"]["per_class"]["ALL"]["validation"].get<int>() +
                                                   card["data"]["per_class"]["healthy"]["validation"].get<int>());
  EXPECT_EQ(report["training"].size(), 6u);  // the run's curves, found beside the model
  const std::string html = read_text_file(t.run / "evaluation" / "report.html");
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("<h2>Training</h2>"), std::string::npos);
}

TEST(EvaluateCli, AllImagesOfAFolderAndAnOutFolder) {
  const TrainedRun t;
  std::string out;
  ASSERT_EQ(t.evaluate("--data " + t.data.string() + " --out " + (t.dir / "eval").string(), out), 0) << out;
  const auto report = nlohmann::json::parse(read_text_file(t.dir / "eval" / "report.json"));
  EXPECT_EQ(report["split"], "all");
  EXPECT_EQ(report["metrics"]["n"], 24);
  EXPECT_EQ(report["predictions"].size(), 24u);
  EXPECT_EQ(report["positive"], nlohmann::json::array({"ALL"}));
}

TEST(EvaluateCli, BadInputIsOneClearLine) {
  const TrainedRun t;
  std::string out;
  EXPECT_EQ(t.evaluate("--data " + t.run.string() + " --positive Nope", out), 1) << out;
  EXPECT_NE(out.find("Nope"), std::string::npos) << out;
  // The backbone alone has no head to evaluate.
  EXPECT_EQ(blastscan("evaluate --model " + testing::backbone_pb().string() + " --data " + t.data.string() +
                          " --out " + (t.dir / "e").string(), out), 1) << out;
  EXPECT_NE(out.find("head"), std::string::npos) << out;
  EXPECT_EQ(t.evaluate("--data " + (t.dir / "nothing").string(), out), 1) << out;
  EXPECT_NE(out.find("nothing"), std::string::npos) << out;
  EXPECT_EQ(t.evaluate("--data " + t.data.string() + " --split validation", out), 1) << out;  // not split
}

}  // namespace
}  // namespace blastscan
