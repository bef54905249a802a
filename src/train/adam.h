// Adam as TensorFlow's tf.train.AdamOptimizer computes it (defaults beta1 0.9, beta2 0.999,
// epsilon 1e-8), including where TF puts epsilon: after the bias correction is folded into the
// step size ("epsilon hat" in Kingma & Ba, section 2):
//   t += 1;  lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)
//   m = beta1*m + (1-beta1)*g;  v = beta2*v + (1-beta2)*g^2;  param -= lr_t * m / (sqrt(v) + epsilon)
// https://www.tensorflow.org/versions/r1.15/api_docs/python/tf/train/AdamOptimizer
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace blastscan {

struct AdamOptions {
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float epsilon = 1e-8f;
};

struct AdamState {
  std::vector<float> m;  // first moment, one per parameter
  std::vector<float> v;  // second moment
  int64_t t = 0;         // steps taken
};

AdamState make_adam_state(size_t parameter_count);
// params and grads: any buffers of one length (a head's vectors, a trainable stack's aligned
// layout), state's moments of the same length.
void adam_update(std::span<float> params, std::span<const float> grads, AdamState& state, float learning_rate,
                 const AdamOptions& options = {});

}  // namespace blastscan
