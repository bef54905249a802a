// Inception V3 compiled for oneDNN: primitives are created once for a batch size and run many
// times (oneDNN's cnn_inference example). BatchNorm is folded into the convs, ReLU is a post-op,
// and branch outputs are written straight into their slice of the concat buffer.
//
// Precision is a parameter of the compilation, not another network: fp32, bf16 (where oneDNN
// has avx512_core_bf16 or AMX) or int8 (u8 activations after ReLU, s8 weights with per-output-
// channel scales, per-tensor activation scales from the model's calibration).
//
// Two cores: one image runs the stem's big layers split over all threads and each Inception
// block's steps on concurrent one-thread lanes (inception/schedule.h); several images run
// concurrently, one thread each (see network.cpp for the measurements behind this).
#pragma once
#include <map>
#include <memory>
#include <string>

#include "inception/model.h"
#include "nn/cpu.h"  // default_thread_count, cpu_isa_description for the callers

namespace blastscan {

enum class Precision { f32, bf16, int8 };

std::string to_string(Precision precision);
// "fp32" (or "f32"), "bf16", "int8"; throws InputError otherwise.
Precision parse_precision(const std::string& name);
// Whether this CPU runs `precision` on oneDNN's fast kernels (bf16 needs avx512_core_bf16 or
// AMX). fp32 and int8 always are.
bool precision_supported(Precision precision);

struct NetworkOptions {
  int batch = 1;          // the largest batch run() accepts
  int image_size = 299;   // input height = width
  int threads = 0;        // 0 = all cores
  Precision precision = Precision::f32;  // bf16 where unsupported falls back to f32 (see precision())
  bool keep_endpoint = false;  // also return the end point's activations (class activation maps)
};

struct NetworkOutput {
  Tensor features;       // [n, C]: global average of the end point
  Tensor probabilities;  // [n, K]: softmax of the head's logits (empty without a head)
  Tensor endpoint;       // [n, H, W, C]: the end point's activations, with NetworkOptions::keep_endpoint
};

// Time per layer of one image, single-threaded (blastscan bench --profile).
struct LayerTime {
  std::string layer;     // TF-Slim scope, e.g. "Mixed_6b/Branch_1/Conv2d_0b_1x7"
  std::string kind;      // conv, max pool, avg pool, concat, reorder, global pool
  std::string endpoint;  // the end point the layer belongs to
  double ms = 0;
};

class Network {
 public:
  // Throws InputError for int8 without calibration in the model, or a head that does not fit.
  Network(const Model& model, NetworkOptions options = {});
  ~Network();
  Network(Network&&) noexcept;
  Network& operator=(Network&&) noexcept;

  // input: n images, NHWC [n, S, S, 3] float, 1 <= n <= batch. Not reentrant: one call at a time.
  NetworkOutput run(const float* input, int n);

  // fp32 only: the largest value of every layer's output (and of "input") over n images, the
  // calibration that int8 compiles from (Model::activation_max).
  std::map<std::string, float> activation_max(const float* input, int n);

  // Runs one image layer by layer on one thread and times each layer (median of `repeats`).
  std::vector<LayerTime> profile(const float* input, int repeats);

  int batch() const;
  int feature_dim() const;
  Precision precision() const;     // what was compiled (bf16 may have fallen back to f32)
  double flops_per_image() const;  // multiply-adds x 2 of the convs and head

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace blastscan
