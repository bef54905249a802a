// `blastscan evaluate` end to end on a small trained model: report.json agrees with what
// training measured on the same validation split (the cached-feature path and the training
// path are the same computation), report.html is written, the binary ALL view follows
// --positive, and bad input is refused with one line.
#include <gtest/gtest.h>

#include <regex>

#include <nlohmann/json.hpp>

#include "base/file_io.h"
#include "cli/train_fixture.h"
#include "common/result_text.h"

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
  const std::string report_text = read_text_file(t.run / "evaluation" / "report.json");
  const auto report = nlohmann::json::parse(report_text);
  const std::string card_text = read_text_file(t.run / "model_card.json");
  const auto card = nlohmann::json::parse(card_text);
  // Floats as the floats they are (0.003, not 0.003000000026077032).
  EXPECT_EQ(testing::widened_floats(report_text, {"probabilities", "confidence", "threshold", "train_loss"}),
            std::vector<std::string>{});
  EXPECT_EQ(testing::widened_floats(card_text, {"learning_rate", "val_accuracy", "val_loss", "train_loss"}),
            std::vector<std::string>{});
  EXPECT_NEAR(report["metrics"]["accuracy"].get<double>(), card["metrics"]["val_accuracy"].get<double>(), 1e-6);
  EXPECT_EQ(report["split"], "validation");
  EXPECT_EQ(report["metrics"]["n"].get<int>(), card["data"]["per_class"]["ALL"]["validation"].get<int>() +
                                                   card["data"]["per_class"]["healthy"]["validation"].get<int>());
  // The run's curves, found beside the model, with every field of the epoch record: the same
  // records as the model card's history, and steps and times as metrics.csv has them.
  ASSERT_EQ(report["training"].size(), 6u);
  EXPECT_EQ(report["training"], card["history"]);
  const int steps_per_epoch = report["training"][0]["step"].get<int>();
  EXPECT_GT(steps_per_epoch, 0);
  for (const auto& e : report["training"]) {
    EXPECT_EQ(e["step"].get<int>(), e["epoch"].get<int>() * steps_per_epoch) << e;
    EXPECT_GT(e["seconds"].get<double>(), 0) << e;
  }
  const std::string csv = read_text_file(t.run / "metrics.csv");
  EXPECT_NE(csv.find("\n6," + std::to_string(6 * steps_per_epoch) + ","), std::string::npos) << csv;
  EXPECT_EQ(report["threshold"].dump(), "0.8");
  const std::string html = read_text_file(t.run / "evaluation" / "report.html");
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("<h2>Training</h2>"), std::string::npos);
}

// The cached-feature path (evaluate: backbone features, then the head scored apart) and the
// full-network path (classify) give the same probabilities for the same images.
TEST(EvaluateCli, ProbabilitiesEqualClassifysOnTheSameImages) {
  const TrainedRun t;
  std::string out;
  ASSERT_EQ(t.evaluate("--data " + t.run.string(), out), 0) << out;
  const auto report = nlohmann::json::parse(read_text_file(t.run / "evaluation" / "report.json"));
  std::string paths;
  for (const auto& p : report["predictions"]) paths += " " + p["path"].get<std::string>();
  ASSERT_FALSE(paths.empty());
  ASSERT_EQ(blastscan("classify --format json --model " + (t.run / "model.pb").string() + paths, out), 0) << out;
  const auto classified = nlohmann::json::parse(out);
  ASSERT_EQ(classified["images"].size(), report["predictions"].size());
  for (size_t i = 0; i < report["predictions"].size(); ++i) {
    const auto& evaluated = report["predictions"][i];
    const auto& image = classified["images"][i];
    ASSERT_EQ(image["path"], evaluated["path"]);
    for (const auto& [name, p] : evaluated["probabilities"].items())
      EXPECT_NEAR(image["probabilities"][name].get<double>(), p.get<double>(), 1e-5) << name << " " << image["path"];
  }
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

TEST(EvaluateCli, GalleryShowsEachMistakeBesideTheMapOfThePredictedClass) {
  const TrainedRun t;
  // The same images with their labels swapped: every image the model gets right is a mistake.
  const fs::path swapped = t.dir / "swapped";
  fs::create_directories(swapped);
  for (const auto& e : fs::directory_iterator(t.data)) {
    std::string name = e.path().filename().string();
    const size_t label = name.rfind('_') + 1;
    name[label] = name[label] == '1' ? '0' : '1';
    fs::copy_file(e.path(), swapped / name);
  }
  std::string out;
  ASSERT_EQ(t.evaluate("--data " + swapped.string() + " --out " + (t.dir / "eval").string(), out), 0) << out;
  const auto report = nlohmann::json::parse(read_text_file(t.dir / "eval" / "report.json"));
  const size_t wrong = report["misclassified"].size();
  ASSERT_GE(wrong, 1u);
  const std::string html = read_text_file(t.dir / "eval" / "report.html");
  // Each figure: the thumbnail, the map, and a caption whose predicted class is the one mapped
  // (the full network's answer agrees with the cached-feature path's).
  const std::regex caption("<figcaption><b>(\\w+) &rarr; (\\w+)</b>[^<]*<span[^>]*>[^<]*</span><br>right: class "
                           "activation map of (\\w+), blue (-?[0-9.]+) to red (-?[0-9.]+) \\(logits\\)<br>");
  size_t figures = 0;
  for (size_t at = html.find("<figure"); at != std::string::npos; at = html.find("<figure", at + 1)) {
    const std::string one = html.substr(at, html.find("</figure>", at) - at);
    ASSERT_TRUE(one.starts_with("<figure class=\"with-cam\"><img alt=\"\" src=\"data:image/jpeg;base64,")) << one.substr(0, 80);
    ASSERT_NE(one.find("<img class=\"cam\" alt=\"class activation map\" src=\"data:image/jpeg;base64,"), std::string::npos);
    std::smatch m;
    const std::string text = one.substr(one.find("<figcaption>"));
    ASSERT_TRUE(std::regex_search(text, m, caption)) << text;
    ++figures;
    EXPECT_NE(m[1], m[2]);
    EXPECT_EQ(m[3], m[2]) << text;
    EXPECT_LT(std::stod(m[4]), std::stod(m[5])) << text;
  }
  EXPECT_EQ(figures, std::min<size_t>(wrong, 60));
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
