// `blastscan train` end to end with the real backbone on a few dozen real images: the loss
// falls and accuracy beats chance, every promised output is in RUN_DIR and the model works in
// classify, settings merge (defaults < config < flags), --resume continues a run exactly, and
// bad input gets one clear line and a non-zero exit.
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "base/file_io.h"
#include "cli/train_fixture.h"
#include "common/child_process.h"
#include "formats/tfevents.h"

namespace blastscan {
namespace {

namespace fs = std::filesystem;
using testing::blastscan;

struct Row {
  int epoch;
  double train_loss, train_accuracy, val_loss, val_accuracy;
  std::string without_time;  // the row up to its last column (seconds)
};

std::vector<Row> read_metrics(const fs::path& csv) {
  std::istringstream in(read_text_file(csv));
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "epoch,step,learning_rate,train_loss,train_accuracy,val_loss,val_accuracy,seconds");
  std::vector<Row> rows;
  while (std::getline(in, line)) {
    Row r;
    long long step;
    double lr;
    EXPECT_EQ(std::sscanf(line.c_str(), "%d,%lld,%lf,%lf,%lf,%lf,%lf", &r.epoch, &step, &lr, &r.train_loss,
                          &r.train_accuracy, &r.val_loss, &r.val_accuracy), 7) << line;
    r.without_time = line.substr(0, line.rfind(','));
    rows.push_back(r);
  }
  return rows;
}

TEST(TrainCli, LearnsAndWritesEveryOutput) {
  const fs::path dir = testing::scratch_dir(), run = dir / "run";
  const fs::path data = testing::copy_small_dataset(dir / "data", 20);
  std::string out;
  ASSERT_EQ(testing::train_small(data, run, "--epochs 8", out), 0) << out;
  EXPECT_NE(out.find("epoch   8/8"), std::string::npos) << out;
  EXPECT_NE(out.find("validation accuracy"), std::string::npos) << out;

  const auto rows = read_metrics(run / "metrics.csv");
  ASSERT_EQ(rows.size(), 8u);
  EXPECT_LT(rows.back().train_loss, rows.front().train_loss);
  EXPECT_LT(rows.back().val_loss, rows.front().val_loss);
  EXPECT_GT(rows.back().val_accuracy, 0.7);  // chance is 0.5

  for (const char* name : {"model.pb", "labels.txt", "model_card.json", "manifest.json", "metrics.csv",
                           "training_curves.svg", "checkpoint.bin"})
    EXPECT_TRUE(fs::exists(run / name)) << name;
  EXPECT_EQ(read_text_file(run / "labels.txt"), "0:healthy\n1:ALL\n");

  const auto card = nlohmann::json::parse(read_text_file(run / "model_card.json"));
  EXPECT_EQ(card["backbone"]["endpoint"], "Mixed_7a");
  EXPECT_EQ(card["positive"], nlohmann::json::array({"ALL"}));
  EXPECT_EQ(card["config"]["epochs"], 8);
  // Settings print as written, not as the float nearest them widened to double.
  const std::string card_text = read_text_file(run / "model_card.json");
  const auto written = [&](const std::string& key) {
    const size_t at = card_text.find("\"" + key + "\": ", card_text.find("\"config\""));
    if (at == std::string::npos) return std::string("(missing)");
    const size_t from = at + key.size() + 4;
    return card_text.substr(from, card_text.find_first_of(",\n", from) - from);
  };
  EXPECT_EQ(written("learning_rate"), "0.003") << card_text;
  EXPECT_EQ(written("decay_rate"), "0.8") << card_text;
  EXPECT_EQ(written("dropout_keep"), "0.8") << card_text;
  EXPECT_EQ(written("weight_decay"), "4e-05") << card_text;
  ASSERT_EQ(card["history"].size(), 8u);
  EXPECT_GT(card["history"][7]["step"].get<int>(), 0);  // the epoch record, whole
  EXPECT_EQ(card["data"]["manifest_sha256"].get<std::string>().size(), 64u);
  EXPECT_NEAR(card["metrics"]["val_accuracy"].get<double>(), rows.back().val_accuracy, 1e-6);

  fs::path events;
  for (const auto& e : fs::directory_iterator(run))
    if (e.path().filename().string().rfind("events.out.tfevents.", 0) == 0) events = e.path();
  ASSERT_FALSE(events.empty());
  const auto scalars = read_scalar_events(events);
  EXPECT_EQ(scalars.size(), 8u * 5);  // loss, accuracy, validation loss and accuracy, learning rate
  EXPECT_EQ(scalars.front().tag, "loss");

  // The frozen model classifies on its own, as the trainer measured: on the validation images
  // (true class from the ALL-IDB names), classify's accuracy is the model card's.
  const auto manifest = nlohmann::json::parse(read_text_file(run / "manifest.json"));
  std::string validation;
  for (const auto& s : manifest["samples"])
    if (s["split"] == "validation") validation += " " + (run / s["path"].get<std::string>()).string();  // relative: to the manifest
  ASSERT_EQ(blastscan("classify --format json --model " + (run / "model.pb").string() + validation, out), 0) << out;
  const auto classified = nlohmann::json::parse(out);
  int correct = 0, n = 0;
  for (const auto& image : classified["images"]) {
    ASSERT_TRUE(image["class"] == "healthy" || image["class"] == "ALL") << image;
    ASSERT_EQ(image["true_class"], image["path"].get<std::string>().ends_with("_1.jpg") ? "ALL" : "healthy") << image;
    correct += image["correct"].get<bool>();
    ++n;
  }
  ASSERT_GT(n, 0);
  EXPECT_NEAR(double(correct) / n, card["metrics"]["val_accuracy"].get<double>(), 1e-6) << out;
}

TEST(TrainCli, FlagsWinOverTheConfigFileWhichWinsOverDefaults) {
  const fs::path dir = testing::scratch_dir();
  const fs::path data = testing::copy_small_dataset(dir / "data", 10);
  write_file_atomic(dir / "blastscan.json", std::string_view(R"({"epochs": 5, "learning_rate": 0.01, "class_weights": "auto"})"));
  std::string out;
  ASSERT_EQ(testing::train_small(data, dir / "run", "--config " + (dir / "blastscan.json").string() + " --epochs 2", out), 0) << out;
  const auto card = nlohmann::json::parse(read_text_file(dir / "run" / "model_card.json"));
  EXPECT_EQ(card["config"]["epochs"], 2);                                // flag
  EXPECT_FLOAT_EQ(card["config"]["learning_rate"].get<float>(), 0.01f);  // file
  EXPECT_EQ(card["config"]["class_weights"], "auto");                    // file
  EXPECT_EQ(card["config"]["batch_size"], 10);                           // default
  EXPECT_EQ(read_metrics(dir / "run" / "metrics.csv").size(), 2u);
}

TEST(TrainCli, ResumeContinuesExactlyAsAnUninterruptedRun) {
  const fs::path dir = testing::scratch_dir();
  const fs::path data = testing::copy_small_dataset(dir / "data", 10);
  std::string out;
  ASSERT_EQ(testing::train_small(data, dir / "whole", "--epochs 4", out), 0) << out;
  ASSERT_EQ(testing::train_small(data, dir / "parts", "--epochs 2", out), 0) << out;
  ASSERT_EQ(testing::train_small(data, dir / "parts", "--epochs 4 --resume", out), 0) << out;
  EXPECT_NE(out.find("resuming after epoch 2"), std::string::npos) << out;
  const auto whole = read_metrics(dir / "whole" / "metrics.csv"), parts = read_metrics(dir / "parts" / "metrics.csv");
  ASSERT_EQ(parts.size(), 4u);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(parts[i].without_time, whole[i].without_time);
  // The two models answer alike, to the last digit printed.
  const std::string image = (testing::all_idb2() / "Im141_0.jpg").string();
  std::string from_whole, from_parts;
  ASSERT_EQ(blastscan("classify --format json --model " + (dir / "whole" / "model.pb").string() + " " + image, from_whole), 0);
  ASSERT_EQ(blastscan("classify --format json --model " + (dir / "parts" / "model.pb").string() + " " + image, from_parts), 0);
  const auto probabilities = [](const std::string& json) {
    return nlohmann::json::parse(json.substr(json.find('{')))["images"][0]["probabilities"].dump();
  };
  EXPECT_EQ(probabilities(from_parts), probabilities(from_whole));
  // A resume with other settings is refused.
  EXPECT_NE(testing::train_small(data, dir / "parts", "--epochs 5 --resume --learning-rate 0.1", out), 0);
  EXPECT_NE(out.find("checkpoint.bin"), std::string::npos) << out;
}

// Exit 1, and the output ends with one error line naming the problem (notes such as the split
// table may come before it on stdout).
void expect_error(const std::string& args, const std::string& mention) {
  std::string out;
  EXPECT_EQ(blastscan("train " + args, out), 1) << out;
  const size_t error = out.find("blastscan: error: ");
  ASSERT_NE(error, std::string::npos) << out;
  EXPECT_EQ(out.find('\n', error), out.size() - 1) << "one line: " << out;
  EXPECT_NE(out.find(mention, error), std::string::npos) << args << "\n" << out;
}

TEST(TrainCli, BadInputIsOneClearLine) {
  const fs::path dir = testing::scratch_dir();
  const fs::path data = testing::copy_small_dataset(dir / "data", 4);
  const std::string base = "--backbone " + testing::backbone_pb().string() + " --cache " +
                           testing::shared_test_cache().string() + " --out " + (dir / "run").string();
  expect_error(base + " --data " + (dir / "missing").string(), "missing");
  write_file_atomic(dir / "bad.json", std::string_view("{\"epochs\": 3,"));
  expect_error(base + " --data " + data.string() + " --config " + (dir / "bad.json").string(), "bad.json");
  write_file_atomic(dir / "typo.json", std::string_view("{\"epoch\": 3}"));
  expect_error(base + " --data " + data.string() + " --config " + (dir / "typo.json").string(), "'epoch'");
  expect_error(base + " --data " + data.string() + " --epochs 1 --positive Nope", "Nope");
  expect_error(base + " --data " + data.string() + " --resume", "checkpoint.bin");
  write_file_atomic(dir / "garbage.pb", std::string_view("garbage"));
  expect_error("--backbone " + (dir / "garbage.pb").string() + " --data " + data.string() + " --out " +
                   (dir / "run2").string(), "garbage.pb");
  EXPECT_FALSE(fs::exists(dir / "run2" / "model.pb"));
  // Fine-tuning settings.
  expect_error(base + " --data " + data.string() + " --fine-tune-from Mixed_9z", "Mixed_9z");
  expect_error(base + " --data " + data.string() + " --final-endpoint Mixed_7c", "fine_tune_from");
  expect_error(base + " --data " + data.string() + " --fine-tune-from Mixed_7a", "nothing to train above");
  // Every number in the options table must be finite: NaN passed CLI11's range check.
  expect_error(base + " --data " + data.string() + " --learning-rate nan", "'nan' is not a finite number");
  expect_error(base + " --data " + data.string() + " --val inf", "'inf' is not a finite number");
}

// A model must know which classes mean ALL: C-NMC's folders all/hem are recognised (hem is the
// healthy class), names that say nothing need --positive, and before they gave a model that
// answered "not ALL" to every image, with exit 0 and "ALL classes: (none)".
TEST(TrainCli, TheAllClassesAreRecognisedOrMustBeGiven) {
  const fs::path dir = testing::scratch_dir();
  const fs::path flat = testing::copy_small_dataset(dir / "flat", 4);
  const auto make_folders = [&](const fs::path& root, const std::string& ill, const std::string& well) {
    for (const auto& e : fs::directory_iterator(flat)) {
      const fs::path cls = root / (e.path().stem().string().ends_with("_1") ? ill : well);
      fs::create_directories(cls);
      fs::copy_file(e.path(), cls / e.path().filename());
    }
    return root;
  };
  const fs::path cnmc = make_folders(dir / "cnmc", "all", "hem"), vague = make_folders(dir / "vague", "L1", "L2");
  std::string out;
  ASSERT_EQ(testing::train_small(cnmc, dir / "run1", "--epochs 1 --val 0.5", out), 0) << out;
  EXPECT_NE(out.find("ALL classes: all\n"), std::string::npos) << out;
  expect_error("--backbone " + testing::backbone_pb().string() + " --cache " + testing::shared_test_cache().string() +
                   " --data " + vague.string() + " --val 0.5 --epochs 1 --out " + (dir / "run2").string(),
               "say it with --positive");
  EXPECT_FALSE(fs::exists(dir / "run2" / "model.pb"));
  ASSERT_EQ(testing::train_small(vague, dir / "run3", "--epochs 1 --val 0.5 --positive L1", out), 0) << out;
  EXPECT_NE(out.find("ALL classes: L1\n"), std::string::npos) << out;
}

// kill -9 during a re-train into a finished run's folder: the old model.pb and card must not
// stay beside the new run's checkpoint (a reader would take them for this run's result).
TEST(TrainCli, AKilledReTrainNeverLeavesTheOldModelBesideTheNewCheckpoint) {
  const fs::path dir = testing::scratch_dir(), run = dir / "run";
  const fs::path data = testing::copy_small_dataset(dir / "data", 4);
  std::string out;
  ASSERT_EQ(testing::train_small(data, run, "--epochs 1 --val 0.5", out), 0) << out;
  ASSERT_TRUE(fs::exists(run / "model.pb"));
  const auto old_checkpoint = fs::last_write_time(run / "checkpoint.bin");

  testing::ChildProcess retrain({testing::blastscan_binary().string(), "train", "--backbone", testing::backbone_pb().string(),
                                 "--data", data.string(), "--out", run.string(), "--cache",
                                 testing::shared_test_cache().string(), "--val", "0.5", "--epochs", "100000", "--seed", "9"},
                                dir / "retrain.log");
  const auto new_checkpoint = [&] {
    std::error_code ec;
    return fs::exists(run / "checkpoint.bin", ec) && fs::last_write_time(run / "checkpoint.bin", ec) != old_checkpoint;
  };
  for (int i = 0; i < 12000 && !new_checkpoint(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(new_checkpoint()) << retrain.log_text();
  ASSERT_EQ(retrain.stop(SIGKILL), 128 + SIGKILL) << retrain.log_text();  // 100000 epochs: still running
  EXPECT_FALSE(fs::exists(run / "model.pb"));
  EXPECT_FALSE(fs::exists(run / "model_card.json"));
  for (const auto& e : fs::directory_iterator(run))
    EXPECT_TRUE(e.path().filename().string()[0] == '.' || e.path().filename().string().find(".tmp") == std::string::npos)
        << e.path();
}

}  // namespace
}  // namespace blastscan
