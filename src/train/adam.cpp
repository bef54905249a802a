#include "train/adam.h"

#include <cassert>
#include <cmath>

namespace blastscan {

AdamState make_adam_state(size_t parameter_count) {
  return AdamState{std::vector<float>(parameter_count, 0.f), std::vector<float>(parameter_count, 0.f), 0};
}

void adam_update(std::vector<float>& params, const std::vector<float>& grads, AdamState& state, float learning_rate,
                 const AdamOptions& options) {
  assert(params.size() == grads.size() && params.size() == state.m.size() && params.size() == state.v.size());
  state.t += 1;
  // The powers in double: beta2^t for t in the tens of thousands loses digits in float.
  const double t = static_cast<double>(state.t);
  const float lr_t = static_cast<float>(learning_rate * std::sqrt(1.0 - std::pow(options.beta2, t)) /
                                        (1.0 - std::pow(options.beta1, t)));
  for (size_t i = 0; i < params.size(); ++i) {
    const float g = grads[i];
    state.m[i] = options.beta1 * state.m[i] + (1.f - options.beta1) * g;
    state.v[i] = options.beta2 * state.v[i] + (1.f - options.beta2) * g * g;
    params[i] -= lr_t * state.m[i] / (std::sqrt(state.v[i]) + options.epsilon);
  }
}

}  // namespace blastscan
