// bf16 and int8 are compilations of the same network: their features stay close to fp32's on
// the shared ImageNet backbone and real photos, and int8 compiles from the model's calibration.
#include <gtest/gtest.h>

#include <cmath>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "base/error.h"
#include "common/paths.h"
#include "formats/graphdef.h"
#include "inception/network.h"

namespace blastscan {
namespace {

// The fixture photos, whole image resized to 299, (x-128)/128, NHWC.
std::vector<float> fixture_batch(const std::vector<std::string>& names) {
  std::vector<float> batch;
  for (const auto& name : names) {
    const cv::Mat bgr = cv::imread((testing::shared_dir() / "models" / "fixtures" / (name + ".jpg")).string());
    EXPECT_FALSE(bgr.empty()) << name;
    cv::Mat rgb, resized, scaled;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    cv::resize(rgb, resized, {299, 299}, 0, 0, cv::INTER_LINEAR);
    resized.convertTo(scaled, CV_32FC3, 1 / 128.0, -1.0);
    batch.insert(batch.end(), scaled.ptr<float>(), scaled.ptr<float>() + 299 * 299 * 3);
  }
  return batch;
}

// ||a - b|| / ||b|| of image i's feature row.
double relative_error(const Tensor& a, const Tensor& b, int i) {
  const int C = int(b.dim(1));
  double diff = 0, norm = 0;
  for (int c = 0; c < C; ++c) {
    const double x = a.ptr()[i * C + c], y = b.ptr()[i * C + c];
    diff += (x - y) * (x - y);
    norm += y * y;
  }
  return std::sqrt(diff / norm);
}

const std::vector<std::string> kPhotos = {"dog", "eagle", "horses"};

TEST(NetworkPrecisions, Bf16AndInt8StayCloseToFp32) {
  Model model = load_model(testing::backbone_pb());
  const auto batch = fixture_batch(kPhotos);
  const int n = int(kPhotos.size());
  Network fp32(model, {.batch = n});
  const auto reference = fp32.run(batch.data(), n);
  model.activation_max = fp32.activation_max(batch.data(), n);
  model.calibration_images = n;
  for (const Precision p : {Precision::bf16, Precision::int8}) {
    Network network(model, {.batch = n, .precision = p});
    if (network.precision() != p) {
      ASSERT_EQ(p, Precision::bf16) << "only bf16 may fall back";
      continue;
    }
    const auto out = network.run(batch.data(), n);
    for (int i = 0; i < n; ++i) {
      const double e = relative_error(out.features, reference.features, i);
      std::printf("%s %s relative error %.5f\n", to_string(p).c_str(), kPhotos[size_t(i)].c_str(), e);
      EXPECT_LT(e, p == Precision::bf16 ? 0.02 : 0.08) << to_string(p) << " " << kPhotos[size_t(i)];
    }
  }
}

TEST(NetworkPrecisions, Int8NeedsACalibratedModel) {
  const Model model = load_model(testing::backbone_pb());
  ASSERT_TRUE(model.activation_max.empty());
  EXPECT_THROW(Network(model, {.precision = Precision::int8}), InputError);
}

}  // namespace
}  // namespace blastscan
