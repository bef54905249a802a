#include "nn/dense.h"

#include <algorithm>
#include <cmath>

namespace blastscan {

void dense_forward(const float* x, const float* weights, const float* bias, int N, int C, int K, float* y) {
  for (int n = 0; n < N; ++n) {
    float* yn = y + n * K;
    std::copy(bias, bias + K, yn);
    for (int c = 0; c < C; ++c) {
      const float xc = x[n * C + c];
      const float* wc = weights + c * K;
      for (int k = 0; k < K; ++k) yn[k] += xc * wc[k];
    }
  }
}

void softmax_forward(const float* logits, int N, int K, float* probs) {
  for (int n = 0; n < N; ++n) {
    const float* l = logits + n * K;
    float* p = probs + n * K;
    const float maxv = *std::max_element(l, l + K);
    double sum = 0.0;
    for (int k = 0; k < K; ++k) sum += (p[k] = std::exp(l[k] - maxv));
    for (int k = 0; k < K; ++k) p[k] = static_cast<float>(p[k] / sum);
  }
}

}  // namespace blastscan
