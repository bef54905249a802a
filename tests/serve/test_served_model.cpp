// ServedModel in throughput mode: requests that arrive together are classified together, one
// image per network thread. Each answer must be its own image's (no answers swapped within a
// batch), equal to a Predictor run on that image alone.
#include <gtest/gtest.h>

#include <thread>

#include <opencv2/core.hpp>

#include "inception/random_model.h"
#include "serve/served_model.h"

namespace blastscan {
namespace {

Model two_class_model() {
  Model model = make_random_model("Conv2d_2a_3x3", 2, 17);
  model.classes = {"healthy", "ALL"};
  model.positive = {"ALL"};
  return model;
}

cv::Mat picture(int seed) {
  cv::Mat rgb(80 + seed, 100, CV_8UC3);
  for (int y = 0; y < rgb.rows; ++y)
    for (int x = 0; x < rgb.cols; ++x)
      rgb.at<cv::Vec3b>(y, x) = cv::Vec3b(uchar(3 * x + 11 * seed), uchar(2 * y * seed), uchar((x * y + 40 * seed) % 256));
  return rgb;
}

TEST(ServedModel, ConcurrentRequestsInBatchesGetTheirOwnImagesAnswers) {
  constexpr int kRequests = 12;
  std::vector<cv::Mat> images;
  std::vector<Prediction> alone;
  Predictor direct(two_class_model(), {.threshold = 0.8f, .threads = 1});
  for (int i = 0; i < kRequests; ++i) {
    images.push_back(picture(i));
    alone.push_back(direct.predict(images.back()));
  }
  // The check can only catch swapped answers if the images' answers differ.
  for (int i = 0; i < kRequests; ++i)
    for (int j = 0; j < i; ++j) ASSERT_GT(std::abs(alone[i].probabilities[0] - alone[j].probabilities[0]), 1e-5) << i << " " << j;

  ServedModel served(two_class_model(), {.threshold = 0.8f, .batch = 4, .threads = 2}, "m.pb", "0123abcd");
  for (int round = 0; round < 3; ++round) {
    std::vector<Prediction> answers(kRequests);
    std::vector<std::thread> clients;
    for (int i = 0; i < kRequests; ++i) clients.emplace_back([&, i] { answers[size_t(i)] = served.predict(images[size_t(i)]); });
    for (auto& c : clients) c.join();
    for (int i = 0; i < kRequests; ++i) {
      EXPECT_EQ(answers[size_t(i)].class_id, alone[size_t(i)].class_id) << "request " << i;
      ASSERT_EQ(answers[size_t(i)].probabilities.size(), 2u);
      EXPECT_NEAR(answers[size_t(i)].probabilities[0], alone[size_t(i)].probabilities[0], 1e-6) << "request " << i;
    }
  }
}

}  // namespace
}  // namespace blastscan
