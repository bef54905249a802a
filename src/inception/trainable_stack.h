// The Inception V3 blocks between two end points as a trainable stack (fine-tuning): built from
// the same topology table as the inference Network (inception/inception_v3.h), over nn/'s
// trainable layers, for a fixed batch. Kept apart from Network so inference stays lean.
//   forward:  activation at `from` [N,H,W,C] -> blocks -> `to` -> global average -> features [N,C]
//   backward: d(loss)/d(features) -> ... -> gradients of every conv's weights and bias
// Parameters live in one flat buffer, every conv in graph order: its weights in the layout its
// forward primitive reads (blocked on AVX-512), then its bias. One optimiser call updates them
// there, and each backward writes the gradients in the same layout beside them, so a step
// copies no weights but the backward-data primitives' own layout. The graph-order form (HWIO
// weights, then bias, conv_slots()) is what checkpoints and the model hold: to_graph_order()
// and from_graph_order() convert any per-parameter vector (parameters, gradients, moments).
// Activations use one blocked layout (nChw16c on AVX-512, nChw8c otherwise) for the whole
// batch; concatenations copy (nn/trainable_concat.h says why). A batch shorter than N runs
// padded with zero rows whose gradient is zero.
// `from` may be "input" (the preprocessed image [N,S,S,3]): the frozen lower part then runs
// forward only, to compute the activations at a cut once per image view.
#pragma once
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "inception/inception_v3.h"
#include "inception/model.h"

namespace blastscan {

struct StackOptions {
  int batch = 10;
  int image_size = 299;
  int threads = 0;             // 0 = all cores
  bool backward = true;        // false: forward only (no backward primitives or gradients)
};

class TrainableStack {
 public:
  // The layers after end point `from` (or "input") up to model.endpoint, with model's weights.
  TrainableStack(const Model& model, const std::string& from, StackOptions options = {});
  ~TrainableStack();
  TrainableStack(TrainableStack&&) noexcept;
  TrainableStack& operator=(TrainableStack&&) noexcept;

  int batch() const;
  LayerShape input_shape() const;   // of the activation at `from`
  LayerShape output_shape() const;  // of the activation at model.endpoint
  // Where each conv's parameters sit in the graph-order form.
  struct ConvSlot {
    std::string name;  // TF-Slim scope, e.g. "Mixed_7a/Branch_0/Conv2d_0a_1x1"
    size_t weights_offset, weight_count, bias_offset, bias_count;
  };
  std::vector<ConvSlot> conv_slots() const;

  // The stack's layout (each conv's slot on a cache line, zeros between), owned by the stack:
  // update it in place (load_graph_order() writes a graph-order vector into it).
  std::span<float> parameters();
  std::span<const float> parameters() const;
  std::span<const float> gradients() const;  // the stack's layout, of the last backward
  void parameters_changed();         // after an optimiser step (or any write to parameters())

  // A per-parameter vector in the stack's layout <-> graph order (HWIO weights, then bias).
  std::vector<float> to_graph_order(std::span<const float> stack_layout) const;
  std::vector<float> from_graph_order(const std::vector<float>& graph_order) const;
  size_t graph_order_size() const;
  void load_graph_order(const std::vector<float>& parameters);  // parameters_changed() included

  // input: n activations at `from`, NHWC [n,H,W,C], 1 <= n <= batch. features: [n, C] out.
  void forward(const float* input, int n, float* features);
  // diff_features [n, C] of the last forward; writes gradients() (nothing to zero first).
  void backward(const float* diff_features);
  // The activation at model.endpoint of the last forward, NHWC [n,H,W,C] (to cache a cut).
  void output_activation(float* nhwc) const;

  // The stack's current weights written into model.convs (the frozen model's form).
  void store_parameters(Model& model) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The layers strictly above end point `from` ("input": all) up to final_endpoint, graph order.
std::vector<Layer> layers_above(const std::string& from, const std::string& final_endpoint);

}  // namespace blastscan
