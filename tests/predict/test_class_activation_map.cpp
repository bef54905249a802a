// Class activation maps are exact: with the head a global average pool and a 1x1 conv, the
// map's mean over positions plus the class bias is the class logit, to float precision. Checked
// on a random Mixed_5b network (35x35x256 end point) for every class, against logits computed
// here from the network's pooled features, and through the Predictor.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "base/error.h"
#include "inception/network.h"
#include "inception/random_model.h"
#include "predict/class_activation_map.h"
#include "predict/predictor.h"

namespace blastscan {
namespace {

std::vector<float> random_input(int S, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  std::vector<float> x(size_t(S) * S * 3);
  for (auto& v : x) v = u(rng);
  return x;
}

TEST(ClassActivationMap, MeanPlusBiasIsTheLogitForEveryClass) {
  Model model = make_random_model("Mixed_5b", 3, 11);
  const int S = 299;
  Network network(model, {.batch = 2, .image_size = S, .threads = 0, .precision = Precision::f32, .keep_endpoint = true});
  std::vector<float> input = random_input(S, 1), second = random_input(S, 2);
  input.insert(input.end(), second.begin(), second.end());
  const auto out = network.run(input.data(), 2);
  ASSERT_EQ(out.endpoint.shape, (Shape{2, 35, 35, 256}));
  const Head& head = *model.head;
  const int H = 35, W = 35, C = 256, K = 3;
  for (int n = 0; n < 2; ++n) {
    const float* A = out.endpoint.ptr() + int64_t(n) * H * W * C;
    const float* features = out.features.ptr() + int64_t(n) * C;
    // The end point in HWC order: its per-channel means are the network's pooled features.
    for (int c = 0; c < C; c += 17) {
      double mean = 0;
      for (int p = 0; p < H * W; ++p) mean += A[int64_t(p) * C + c];
      EXPECT_NEAR(mean / (H * W), features[c], 1e-5 * std::max(1.f, std::abs(features[c]))) << "channel " << c;
    }
    std::vector<double> logits(K);
    double z = 0;
    for (int k = 0; k < K; ++k) {
      double logit = head.biases.data[size_t(k)];
      for (int c = 0; c < C; ++c) logit += double(head.weights.data[size_t(c) * K + size_t(k)]) * features[c];
      const cv::Mat cam = class_activation_map(A, H, W, C, head, k);
      ASSERT_EQ(cam.size(), cv::Size(W, H));
      const double from_cam = cv::mean(cam)[0] + head.biases.data[size_t(k)];
      EXPECT_NEAR(from_cam, logit, 1e-5 * std::max(1.0, std::abs(logit))) << "image " << n << " class " << k;
      logits[size_t(k)] = logit;
      z += std::exp(logit);
    }
    for (int k = 0; k < K; ++k)  // and they are the logits behind the network's probabilities
      EXPECT_NEAR(std::exp(logits[size_t(k)]) / z, out.probabilities.ptr()[n * K + k], 1e-5);
  }
  EXPECT_THROW(class_activation_map(out.endpoint.ptr(), H, W, C, head, 3), Error);
}

TEST(ClassActivationMap, PredictorExplainsThePredictedClassOverTheCentralCrop) {
  Model model = make_random_model("Conv2d_4a_3x3", 2, 4);
  model.classes = {"healthy", "ALL"};
  model.positive = {"ALL"};
  cv::Mat image(120, 200, CV_8UC3);
  cv::randu(image, 0, 255);
  Predictor plain(model);
  EXPECT_THROW(plain.explain({image}), Error);
  Predictor explaining(model, {.threshold = 0.8f, .batch = 1, .threads = 0, .explain = true});
  const auto e = explaining.explain({image}).at(0);
  const auto p = plain.predict(image);
  EXPECT_EQ(e.prediction.class_id, p.class_id);
  EXPECT_NEAR(e.prediction.confidence, p.confidence, 1e-6);
  EXPECT_EQ(e.cam.size(), cv::Size(71, 71));  // Conv2d_4a_3x3 of a 299 input
  EXPECT_EQ(e.seen, cv::Rect(12, 7, 176, 106));  // central_crop_box(120, 200): 87.5% of each side
}

}  // namespace
}  // namespace blastscan
