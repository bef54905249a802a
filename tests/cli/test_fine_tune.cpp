// `blastscan train --fine-tune-from` end to end on the shared backbone and a dozen real images:
// the blocks above the cut change and the ones below do not; the result is an ordinary model
// that OpenCV DNN reads (the frozen .pb and its ONNX export) and answers like blastscan; the
// model card names the trained scopes; --resume continues exactly (the same model bytes);
// --final-endpoint Mixed_7c grows the network with seeded He-initialised blocks;
// --head-warmup-epochs keeps the blocks frozen for its epochs.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include <nlohmann/json.hpp>
#include <opencv2/dnn.hpp>

#include "base/file_io.h"
#include "cli/train_fixture.h"
#include "formats/graphdef.h"
#include "inception/network.h"

namespace blastscan {
namespace {

namespace fs = std::filesystem;
using testing::blastscan;

std::vector<float> random_image(unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  std::vector<float> v(299 * 299 * 3);
  for (auto& x : v) x = u(rng);
  return v;
}

// The largest difference between blastscan's and OpenCV's probabilities for one input.
double opencv_difference(const Model& model, cv::dnn::Net& net, const std::vector<float>& nhwc, bool onnx) {
  Network network(model, {.batch = 1});
  const Tensor ours = network.run(nhwc.data(), 1).probabilities;
  cv::Mat blob;
  if (onnx) {  // the ONNX graph takes NHWC
    blob = cv::Mat(std::vector<int>{1, 299, 299, 3}, CV_32F, const_cast<float*>(nhwc.data())).clone();
  } else {     // OpenCV's TensorFlow importer takes NCHW
    blob = cv::Mat(std::vector<int>{1, 3, 299, 299}, CV_32F);
    for (int c = 0; c < 3; ++c)
      for (int i = 0; i < 299 * 299; ++i) blob.ptr<float>()[c * 299 * 299 + i] = nhwc[size_t(i) * 3 + size_t(c)];
  }
  net.setInput(blob);
  const cv::Mat theirs = onnx ? net.forward() : net.forward("InceptionV3/Predictions/Softmax");
  double diff = 0;
  for (int k = 0; k < ours.dim(1); ++k) diff = std::max(diff, double(std::fabs(ours.data[size_t(k)] - theirs.ptr<float>()[k])));
  return diff;
}

TEST(FineTuneCli, TrainsTheBlocksAboveTheCutIntoAnOrdinaryModel) {
  const fs::path dir = testing::scratch_dir(), run = dir / "run";
  const fs::path data = testing::copy_small_dataset(dir / "data", 6);
  std::string out;
  ASSERT_EQ(testing::train_small(data, run, "--epochs 2 --fine-tune-from Mixed_6e --backbone-learning-rate 1e-3", out),
            0) << out;
  EXPECT_NE(out.find("fine-tuning 6 convs above Mixed_6e"), std::string::npos) << out;

  const auto card = nlohmann::json::parse(read_text_file(run / "model_card.json"));
  EXPECT_EQ(card["trained_scopes"], nlohmann::json::array({"InceptionV3/Mixed_7a", "InceptionV3/Logits"}));
  EXPECT_EQ(card["config"]["fine_tune_from"], "Mixed_6e");

  const Model backbone = load_model(testing::backbone_pb());
  const Model tuned = load_model(run / "model.pb");
  ASSERT_TRUE(tuned.head);
  EXPECT_EQ(tuned.convs.size(), backbone.convs.size());
  for (const auto& [name, conv] : backbone.convs) {
    const bool above = name.rfind("Mixed_7a/", 0) == 0;
    EXPECT_EQ(tuned.convs.at(name) == conv, !above) << name << (above ? " should have changed" : " should not");
  }

  cv::dnn::Net pb = cv::dnn::readNetFromTensorflow((run / "model.pb").string());
  const auto image = random_image(3);
  EXPECT_LE(opencv_difference(tuned, pb, image, false), 1e-4);
  ASSERT_EQ(blastscan("export --model " + (run / "model.pb").string() + " --out " + (dir / "m.onnx").string(), out), 0)
      << out;
  cv::dnn::Net onnx = cv::dnn::readNetFromONNX((dir / "m.onnx").string());
  EXPECT_LE(opencv_difference(tuned, onnx, image, true), 1e-4);
}

TEST(FineTuneCli, ResumeContinuesExactly) {
  const fs::path dir = testing::scratch_dir();
  const fs::path data = testing::copy_small_dataset(dir / "data", 6);
  const std::string flags = " --fine-tune-from Mixed_6e --backbone-learning-rate 1e-3 --threads 2";
  std::string out;
  ASSERT_EQ(testing::train_small(data, dir / "whole", "--epochs 2" + flags, out), 0) << out;
  ASSERT_EQ(testing::train_small(data, dir / "parts", "--epochs 1" + flags, out), 0) << out;
  ASSERT_EQ(testing::train_small(data, dir / "parts", "--epochs 2 --resume" + flags, out), 0) << out;
  EXPECT_NE(out.find("resuming after epoch 1"), std::string::npos) << out;
  EXPECT_TRUE(read_file(dir / "whole" / "model.pb") == read_file(dir / "parts" / "model.pb"))
      << "the resumed run's model differs from the uninterrupted run's";
}

// Whether the tuned model's Mixed_7a convs still equal the backbone's (all or none).
bool mixed_7a_unchanged(const Model& tuned) {
  const Model backbone = load_model(testing::backbone_pb());
  int changed = 0, convs = 0;
  for (const auto& [name, conv] : backbone.convs)
    if (name.rfind("Mixed_7a/", 0) == 0) {
      ++convs;
      changed += !(tuned.convs.at(name) == conv);
    }
  EXPECT_TRUE(changed == 0 || changed == convs) << changed << " of " << convs << " changed";
  return changed == 0;
}

TEST(FineTuneCli, HeadWarmupKeepsTheBlocksFrozenForItsEpochs) {
  const fs::path dir = testing::scratch_dir();
  const fs::path data = testing::copy_small_dataset(dir / "data", 4);
  const std::string flags = " --fine-tune-from Mixed_6e --backbone-learning-rate 1e-3 --head-warmup-epochs 1";
  std::string out;
  ASSERT_EQ(testing::train_small(data, dir / "one", "--epochs 1" + flags, out), 0) << out;
  const Model warm = load_model(dir / "one" / "model.pb");
  EXPECT_TRUE(mixed_7a_unchanged(warm)) << "the blocks learnt during the head's warm-up";
  ASSERT_EQ(testing::train_small(data, dir / "two", "--epochs 2" + flags, out), 0) << out;
  EXPECT_FALSE(mixed_7a_unchanged(load_model(dir / "two" / "model.pb"))) << "the blocks did not learn after it";
  // Without fine-tuning there is nothing to warm up for: refused, naming the setting.
  EXPECT_NE(testing::train_small(data, dir / "head", "--epochs 1 --head-warmup-epochs 1", out), 0);
  EXPECT_NE(out.find("head_warmup_epochs"), std::string::npos) << out;
}

TEST(FineTuneCli, FinalEndpointAddsHeInitialisedBlocks) {
  const fs::path dir = testing::scratch_dir(), run = dir / "run";
  const fs::path data = testing::copy_small_dataset(dir / "data", 4);
  std::string out;
  ASSERT_EQ(testing::train_small(data, run, "--epochs 1 --fine-tune-from Mixed_7a --final-endpoint Mixed_7c", out), 0)
      << out;
  const auto card = nlohmann::json::parse(read_text_file(run / "model_card.json"));
  EXPECT_EQ(card["trained_scopes"],
            nlohmann::json::array({"InceptionV3/Mixed_7b", "InceptionV3/Mixed_7c", "InceptionV3/Logits"}));
  EXPECT_EQ(card["initialised_scopes"].size(), 18u);  // 9 convs in each of Mixed_7b and 7c
  const Model tuned = load_model(run / "model.pb");
  EXPECT_EQ(tuned.endpoint, "Mixed_7c");
  EXPECT_EQ(tuned.head->weights.dim(2), 2048);
}

}  // namespace
}  // namespace blastscan
