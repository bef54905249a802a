#include "train/schedule.h"

#include <algorithm>
#include <cmath>

namespace blastscan {

float learning_rate_at(const LearningRateSchedule& schedule, int64_t step) {
  // decay_steps is an integer in TF too (int(num_samples / batch_size * num_epochs_per_decay)).
  const auto decay_steps =
      std::max<int64_t>(1, static_cast<int64_t>(schedule.epochs_per_decay * static_cast<double>(schedule.steps_per_epoch)));
  const auto decays = static_cast<double>(step / decay_steps);
  return static_cast<float>(schedule.initial * std::pow(static_cast<double>(schedule.decay_rate), decays));
}

}  // namespace blastscan
