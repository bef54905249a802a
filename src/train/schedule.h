// The learning-rate schedule of the seed (TF-Slim's train_image_classifier): exponential decay
// in a staircase, lr = initial * rate ^ floor(step / decay_steps), with decay_steps =
// epochs_per_decay * steps_per_epoch (tf.train.exponential_decay with staircase=True).
#pragma once
#include <cstdint>

namespace blastscan {

struct LearningRateSchedule {
  float initial = 1e-4f;
  float decay_rate = 0.8f;
  double epochs_per_decay = 10;
  int64_t steps_per_epoch = 1;
};

float learning_rate_at(const LearningRateSchedule& schedule, int64_t step);

}  // namespace blastscan
