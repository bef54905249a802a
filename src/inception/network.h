// Inception V3 compiled for oneDNN: primitives are created once for a batch size and run many
// times (oneDNN's cnn_inference example). BatchNorm is folded into the convs, ReLU is a post-op,
// and branch outputs are written straight into their slice of the concat buffer.
#pragma once
#include <memory>
#include <string>

#include "inception/model.h"

namespace blastscan {

enum class Precision { f32 };  // bf16 / int8 come later as further values

struct NetworkOptions {
  int batch = 1;          // the largest batch run() accepts
  int image_size = 299;   // input height = width
  int threads = 0;        // 0 = all cores
  Precision precision = Precision::f32;
  bool keep_endpoint = false;  // also return the end point's activations (class activation maps)
};

struct NetworkOutput {
  Tensor features;       // [n, C]: global average of the end point
  Tensor probabilities;  // [n, K]: softmax of the head's logits (empty without a head)
  Tensor endpoint;       // [n, H, W, C]: the end point's activations, with NetworkOptions::keep_endpoint
};

class Network {
 public:
  Network(const Model& model, NetworkOptions options = {});
  ~Network();
  Network(Network&&) noexcept;
  Network& operator=(Network&&) noexcept;

  // input: n images, NHWC [n, S, S, 3] float, 1 <= n <= batch. Not reentrant: one call at a time.
  NetworkOutput run(const float* input, int n);

  int batch() const;
  int feature_dim() const;
  double flops_per_image() const;  // multiply-adds x 2 of the convs and head

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The cores oneDNN may use by default; the CPU's model name, the ISA oneDNN dispatches to and
// the CPU's relevant instruction sets (avx2 ... amx_int8).
int default_thread_count();
std::string cpu_isa_description();

}  // namespace blastscan
