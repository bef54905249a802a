#include "nn/head_layers.h"

#include <algorithm>
#include <cmath>

#include "base/rng.h"

namespace blastscan {

// ---- dropout

void dropout_forward(float* dst, float* mask, const float* src, int B, int C, float keep, Rng& rng) {
  const float scale = 1.f / keep;
  for (int i = 0; i < B * C; ++i) {
    mask[i] = rng.uniform() < keep ? scale : 0.f;
    dst[i] = src[i] * mask[i];
  }
}

void dropout_backward(float* diff_src, const float* diff_dst, const float* mask, int B, int C) {
  for (int i = 0; i < B * C; ++i) diff_src[i] += diff_dst[i] * mask[i];
}

// ---- dense

void dense_forward(float* logits, const float* src, const float* W, const float* b, int B, int C, int K) {
  for (int n = 0; n < B; ++n) {
    float* out = logits + n * K;
    std::copy(b, b + K, out);
    const float* x = src + static_cast<size_t>(n) * C;
    for (int c = 0; c < C; ++c) {
      const float* w = W + static_cast<size_t>(c) * K;
      for (int k = 0; k < K; ++k) out[k] += x[c] * w[k];
    }
  }
}

void dense_backward(float* diff_W, float* diff_b, const float* diff_logits, const float* src, int B, int C, int K) {
  for (int n = 0; n < B; ++n) {
    const float* d = diff_logits + n * K;
    const float* x = src + static_cast<size_t>(n) * C;
    for (int k = 0; k < K; ++k) diff_b[k] += d[k];
    for (int c = 0; c < C; ++c) {
      float* dw = diff_W + static_cast<size_t>(c) * K;
      for (int k = 0; k < K; ++k) dw[k] += x[c] * d[k];
    }
  }
}

void dense_backward_data(float* diff_src, const float* diff_logits, const float* W, int B, int C, int K) {
  for (int n = 0; n < B; ++n) {
    const float* d = diff_logits + n * K;
    float* dx = diff_src + static_cast<size_t>(n) * C;
    for (int c = 0; c < C; ++c) {
      const float* w = W + static_cast<size_t>(c) * K;
      float sum = 0.f;
      for (int k = 0; k < K; ++k) sum += d[k] * w[k];
      dx[c] += sum;
    }
  }
}

// ---- softmax + cross-entropy

void softmax_forward(float* probs, const float* logits, int B, int K) {
  for (int n = 0; n < B; ++n) {
    const float* z = logits + n * K;
    float* p = probs + n * K;
    const float zmax = *std::max_element(z, z + K);  // subtract the max: exp never overflows
    float sum = 0.f;
    for (int k = 0; k < K; ++k) sum += p[k] = std::exp(z[k] - zmax);
    for (int k = 0; k < K; ++k) p[k] /= sum;
  }
}

float cross_entropy_forward(const float* probs, const int* labels, const float* sample_weight, int B, int K) {
  double loss = 0.0;
  for (int n = 0; n < B; ++n) {
    // Clamp like tf.losses' log of a softmax that underflowed: a finite loss, a true gradient.
    const float p = std::max(probs[n * K + labels[n]], 1e-30f);
    loss -= sample_weight[n] * std::log(p);
  }
  return static_cast<float>(loss / B);
}

void cross_entropy_backward(float* diff_logits, const float* probs, const int* labels, const float* sample_weight,
                            int B, int K) {
  for (int n = 0; n < B; ++n) {
    const float scale = sample_weight[n] / static_cast<float>(B);
    for (int k = 0; k < K; ++k) {
      const float onehot = k == labels[n] ? 1.f : 0.f;
      diff_logits[n * K + k] += scale * (probs[n * K + k] - onehot);
    }
  }
}

// ---- L2 weight decay

float l2_forward(const float* W, size_t n, float decay) {
  double sum = 0.0;
  for (size_t i = 0; i < n; ++i) sum += static_cast<double>(W[i]) * W[i];
  return static_cast<float>(0.5 * decay * sum);
}

void l2_backward(float* diff_W, const float* W, size_t n, float decay) {
  for (size_t i = 0; i < n; ++i) diff_W[i] += decay * W[i];
}

}  // namespace blastscan
