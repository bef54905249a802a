// One fine-tuning step of the layers above Mixed_6e (Mixed_7a, 7b, 7c, the global average
// pool and a 2-class head) in blastscan: forward, backward, Adam on blocks and head (on the
// convolutions' own weight layouts), and the backward-data copies of the weights. Random weights and inputs (the speed does not depend
// on them). Prints milliseconds per step and per image; bench/train_step.sh runs PyTorch on
// the same blocks beside it. Usage: train_step [BATCH] [THREADS] [STEPS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "base/rng.h"
#include "inception/random_model.h"
#include "inception/trainable_stack.h"
#include "train/adam.h"
#include "train/head_net.h"

int main(int argc, char** argv) {
  using namespace blastscan;
  const int B = argc > 1 ? std::atoi(argv[1]) : 10, threads = argc > 2 ? std::atoi(argv[2]) : 2,
            steps = argc > 3 ? std::atoi(argv[3]) : 10;
  const Model model = make_random_model("Mixed_7c", 0, 1);
  TrainableStack stack(model, "Mixed_6e", {.batch = B, .threads = threads});
  const LayerShape in = stack.input_shape();
  const int C = stack.output_shape().C, K = 2;
  std::mt19937 gen(2);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  std::vector<float> input(size_t(B) * in.H * in.W * in.C), features(size_t(B) * C), diff(size_t(B) * C);
  for (auto& x : input) x = u(gen);
  std::vector<int> labels(static_cast<size_t>(B));
  for (int n = 0; n < B; ++n) labels[size_t(n)] = n % K;
  const std::vector<float> weights(size_t(B), 1.f);
  Rng rng(3);
  HeadNet head = make_head_net(C, K, B, 0.8f, 4e-5f, rng);
  AdamState head_adam = make_adam_state(head.params.size()), blocks_adam = make_adam_state(stack.parameters().size());

  // Per step: the whole step, and its phases (where the time goes).
  std::vector<double> ms, forward_ms, backward_ms, update_ms;
  using clock = std::chrono::steady_clock;
  const auto since = [](clock::time_point t) { return std::chrono::duration<double, std::milli>(clock::now() - t).count(); };
  for (int step = 0; step < steps + 2; ++step) {  // two warm-up steps
    const auto start = clock::now();
    stack.forward(input.data(), B, features.data());
    head_forward(head, features.data(), labels.data(), weights.data(), B, true, &rng);
    const double forward = since(start);
    const auto backward_start = clock::now();
    head_zero_grad(head);
    std::fill(diff.begin(), diff.end(), 0.f);
    head_backward(head, labels.data(), weights.data(), diff.data());
    stack.backward(diff.data());
    const double backward = since(backward_start);
    const auto update_start = clock::now();
    adam_update(head.params, head.grads, head_adam, 3e-3f);
    adam_update(stack.parameters(), stack.gradients(), blocks_adam, 1e-4f);
    stack.parameters_changed();
    const double update = since(update_start), total = since(start);
    if (step < 2) continue;
    ms.push_back(total);
    forward_ms.push_back(forward);
    backward_ms.push_back(backward);
    update_ms.push_back(update);
  }
  const auto median_of = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  const double median = median_of(ms);
  std::printf("blastscan: Mixed_7a..7c + head, batch %d, %d threads: median %.1f ms/step (min %.1f), %.2f ms/image\n",
              B, threads, median, *std::min_element(ms.begin(), ms.end()), median / B);
  std::printf("  medians: forward %.1f ms, backward %.1f ms, Adam + backward-data weight copies %.1f ms\n",
              median_of(forward_ms), median_of(backward_ms), median_of(update_ms));
  return 0;
}
