// The network's schedules give the same numbers: one image with its branches on concurrent
// threads, several images one thread each, and everything on one thread (the plain program).
// Full depth (Mixed_7c, whose 8x8 blocks fork inside branches) with random weights, at a small
// image size so the test is quick.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "base/error.h"
#include "inception/network.h"
#include "inception/random_model.h"

namespace blastscan {
namespace {

constexpr int kSize = 139;  // the smallest input Mixed_7c accepts: 3x3 at the top

std::vector<float> random_images(int n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  std::vector<float> v(size_t(n) * kSize * kSize * 3);
  for (auto& x : v) x = u(rng);
  return v;
}

float max_abs_diff(const Tensor& a, const Tensor& b) {
  EXPECT_EQ(a.data.size(), b.data.size());
  float m = 0;
  for (size_t i = 0; i < a.data.size() && i < b.data.size(); ++i) m = std::max(m, std::abs(a.data[i] - b.data[i]));
  return m;
}

TEST(NetworkSchedules, ConcurrentBranchesAndImagesMatchOneThread) {
  const Model model = make_random_model("Mixed_7c", 3, 7);
  const int n = 3;
  const auto images = random_images(n, 11);
  Network one_thread(model, {.batch = n, .image_size = kSize, .threads = 1});
  Network two_threads(model, {.batch = n, .image_size = kSize, .threads = 2});
  const auto reference = one_thread.run(images.data(), n);
  const auto per_image_threads = two_threads.run(images.data(), n);  // one image per thread
  ASSERT_EQ(reference.features.data.size(), size_t(n) * 2048);
  float feature_scale = 0;
  for (float x : reference.features.data) feature_scale = std::max(feature_scale, std::abs(x));
  ASSERT_GT(feature_scale, 0.1f) << "features should not vanish";
  EXPECT_LE(max_abs_diff(per_image_threads.features, reference.features), 1e-6f * feature_scale);
  EXPECT_LE(max_abs_diff(per_image_threads.probabilities, reference.probabilities), 1e-6f);
  for (int i = 0; i < n; ++i) {  // one image: branches on concurrent threads
    const auto single = two_threads.run(images.data() + size_t(i) * kSize * kSize * 3, 1);
    Tensor expected({1, 2048});
    std::copy_n(reference.features.ptr() + i * 2048, 2048, expected.ptr());
    EXPECT_LE(max_abs_diff(single.features, expected), 1e-6f * feature_scale) << "image " << i;
    for (int k = 0; k < 3; ++k)
      EXPECT_NEAR(single.probabilities.data[size_t(k)], reference.probabilities.data[size_t(i * 3 + k)], 1e-6f);
  }
}

TEST(NetworkSchedules, RefusesABatchLargerThanCompiled) {
  const Model model = make_random_model("Mixed_5b", 0, 1);
  Network network(model, {.batch = 2, .image_size = kSize, .threads = 2});
  const auto images = random_images(3, 1);
  EXPECT_THROW(network.run(images.data(), 3), Error);
  EXPECT_EQ(network.run(images.data(), 2).features.data.size(), size_t(2) * 256);
}

}  // namespace
}  // namespace blastscan
