#include "predict/class_activation_map.h"

#include "base/error.h"

namespace blastscan {

cv::Mat class_activation_map(const float* endpoint, int H, int W, int C, const Head& head, int k) {
  const int K = head.num_classes();
  if (k < 0 || k >= K || head.weights.dim(2) != C)
    throw Error("class_activation_map: class " + std::to_string(k) + " of " + std::to_string(K) + ", " +
                std::to_string(C) + " channels for a head of " + std::to_string(head.weights.dim(2)));
  const float* w = head.weights.ptr();  // [C, K] row-major
  cv::Mat cam(H, W, CV_32F);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      const float* a = endpoint + (int64_t(y) * W + x) * C;
      double sum = 0.0;  // 2048 terms: accumulate in double so the test's float tolerance is honest
      for (int c = 0; c < C; ++c) sum += double(w[int64_t(c) * K + k]) * a[c];
      cam.at<float>(y, x) = float(sum);
    }
  return cam;
}

}  // namespace blastscan
