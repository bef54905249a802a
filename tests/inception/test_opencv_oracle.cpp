// Our oneDNN Inception V3 against an independent implementation: OpenCV's DNN module reading
// the same frozen GraphDef, fed the same input.
// (a) the shared ImageNet .pb up to Mixed_7a on the fixture photos (and the stored expected values);
// (b) a full-depth random model with a 2-class head, exported by blastscan, read by OpenCV.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "common/paths.h"
#include "formats/graphdef.h"
#include "inception/network.h"
#include "inception/random_model.h"

namespace blastscan {
namespace {

// The fixtures' own preprocessing, written here from models/README.md rather than taken from
// the library: whole image, cv::resize INTER_LINEAR to 299, RGB, (x-128)/128, NHWC.
std::vector<float> fixture_input(const cv::Mat& bgr) {
  cv::Mat rgb, resized, scaled;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  cv::resize(rgb, resized, {299, 299}, 0, 0, cv::INTER_LINEAR);
  resized.convertTo(scaled, CV_32FC3, 1 / 128.0, -1.0);
  return {scaled.ptr<float>(), scaled.ptr<float>() + 299 * 299 * 3};
}

cv::Mat opencv_forward(cv::dnn::Net& net, const cv::Mat& blob, const std::string& output) {
  net.setInput(blob);
  return net.forward(output).clone();
}

TEST(OpenCvOracle, ImageNetBackboneMatchesOpenCvAndFixtures) {
  const auto pb = testing::backbone_pb();
  const Model model = load_model(pb);
  ASSERT_EQ(model.endpoint, "Mixed_7a");
  Network network(model, {.batch = 3});
  cv::dnn::Net net = cv::dnn::readNetFromTensorflow(pb.string());

  std::ifstream in(testing::shared_dir() / "models" / "fixtures" / "expected_avgpool_1280.json");
  const auto expected = nlohmann::json::parse(in);
  std::vector<float> batch;
  std::vector<cv::Mat> blobs;
  const std::vector<std::string> names = {"dog", "eagle", "horses"};
  for (const auto& name : names) {
    const cv::Mat bgr = cv::imread((testing::shared_dir() / "models" / "fixtures" / (name + ".jpg")).string());
    ASSERT_FALSE(bgr.empty()) << name;
    const auto x = fixture_input(bgr);
    batch.insert(batch.end(), x.begin(), x.end());
    blobs.push_back(cv::dnn::blobFromImage(bgr, 1 / 128.0, {299, 299}, {128, 128, 128}, true, false));
  }
  const auto ours = network.run(batch.data(), 3);
  ASSERT_EQ(ours.features.shape, (Shape{3, 1280}));
  for (size_t i = 0; i < names.size(); ++i) {
    const cv::Mat ref = opencv_forward(net, blobs[i], "InceptionV3/Logits/AvgPool_1a_8x8");
    ASSERT_EQ(ref.total(), 1280u);
    const float* f = ours.features.ptr() + i * 1280;
    float max_diff = 0, max_value = 0;
    double norm = 0;
    for (int c = 0; c < 1280; ++c) {
      max_diff = std::max(max_diff, std::fabs(f[c] - ref.ptr<float>()[c]));
      max_value = std::max(max_value, std::fabs(f[c]));
      norm += double(f[c]) * f[c];
    }
    EXPECT_LE(max_diff, 1e-3f) << names[i] << " vs OpenCV";
    EXPECT_GT(max_value, 0.5f) << names[i] << ": features should be O(1)";
    // The stored values (computed by OpenCV when the fixtures were made).
    const auto& e = expected["images"][names[i] + ".jpg"];
    const auto first16 = e["first16"].get<std::vector<float>>();
    for (size_t c = 0; c < first16.size(); ++c) EXPECT_NEAR(f[c], first16[c], 1e-3) << names[i] << " value " << c;
    EXPECT_NEAR(std::sqrt(norm), e["l2_norm"].get<double>(), 1e-4 * e["l2_norm"].get<double>()) << names[i];
  }
}

TEST(OpenCvOracle, FullDepthExportMatchesOpenCvSoftmax) {
  const Model model = make_random_model("Mixed_7c", 2, 7);
  const auto bytes = serialize_graphdef(model);
  cv::dnn::Net net = cv::dnn::readNetFromTensorflow(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  Network network(model, {.batch = 2});

  cv::RNG rng(1);
  cv::Mat images(2 * 299 * 299 * 3, 1, CV_32F);
  rng.fill(images, cv::RNG::UNIFORM, -1.f, 1.f);
  const auto ours = network.run(images.ptr<float>(), 2);
  ASSERT_EQ(ours.features.shape, (Shape{2, 2048}));
  ASSERT_EQ(ours.probabilities.shape, (Shape{2, 2}));
  // OpenCV takes NCHW blobs.
  const int dims[] = {2, 299, 299, 3};
  cv::Mat nhwc(4, dims, CV_32F, images.ptr<float>()), nchw;
  cv::transposeND(nhwc, {0, 3, 1, 2}, nchw);
  net.setInput(nchw);
  const cv::Mat ref = net.forward("InceptionV3/Predictions/Softmax");
  ASSERT_EQ(ref.total(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(ours.probabilities.data[size_t(i)], ref.ptr<float>()[i], 1e-4) << i;
  // The outputs must not be saturated, or the comparison says little.
  EXPECT_GT(ours.probabilities.data[0], 0.01f);
  EXPECT_LT(ours.probabilities.data[0], 0.99f);
}

}  // namespace
}  // namespace blastscan
