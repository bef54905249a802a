#include "train/adam.h"

#include <cassert>
#include <cmath>
#include <cstdint>

namespace blastscan {

namespace {

constexpr int64_t kParallelFrom = int64_t{1} << 16;  // below this, starting threads costs more than it saves

}  // namespace

AdamState make_adam_state(size_t parameter_count) {
  return AdamState{std::vector<float>(parameter_count, 0.f), std::vector<float>(parameter_count, 0.f), 0};
}

void adam_update(std::span<float> params, std::span<const float> grads, AdamState& state, float learning_rate,
                 const AdamOptions& options) {
  assert(params.size() == grads.size() && params.size() == state.m.size() && params.size() == state.v.size());
  state.t += 1;
  // The powers in double: beta2^t for t in the tens of thousands loses digits in float.
  const double t = static_cast<double>(state.t);
  const float lr_t = static_cast<float>(learning_rate * std::sqrt(1.0 - std::pow(options.beta2, t)) /
                                        (1.0 - std::pow(options.beta1, t)));
  // Each parameter's update reads only its own gradient and moments, so the threads split the
  // range and the result is the same bits as one thread's. The blocks above Mixed_6e hold 13 M
  // parameters: one thread spent ~27 ms a step here, the convolutions ~140 ms (bench/train_step.sh).
  // A head's few thousand stay on the calling thread.
  const int64_t count = static_cast<int64_t>(params.size());
  float* const p = params.data();
  const float* const g = grads.data();
  float* const m = state.m.data();
  float* const v = state.v.data();
  const float beta1 = options.beta1, beta2 = options.beta2, epsilon = options.epsilon;
#pragma omp parallel for simd schedule(static) if (count >= kParallelFrom)
  for (int64_t i = 0; i < count; ++i) {
    m[i] = beta1 * m[i] + (1.f - beta1) * g[i];
    v[i] = beta2 * v[i] + (1.f - beta2) * g[i] * g[i];
    p[i] -= lr_t * m[i] / (std::sqrt(v[i]) + epsilon);
  }
}

}  // namespace blastscan
