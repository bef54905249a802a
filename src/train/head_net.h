// The trainable head as plain data (llm.c's GPT2 struct): parameters and their gradients in one
// flat buffer each (W [C,K] then b [K], so the optimiser sees one array), plus the activations
// of the last forward pass that backward needs.
//   training:  features -> dropout(keep) -> dense -> softmax -> cross-entropy (+ L2 on W)
//   inference: features -> dense -> softmax
#pragma once
#include <vector>

#include "inception/model.h"

namespace blastscan {

class Rng;

struct HeadNet {
  int C = 0;          // feature channels
  int K = 0;          // classes
  int max_batch = 0;
  float keep = 0.8f;            // dropout keep probability at training time
  float weight_decay = 4e-5f;   // L2 on W (not on b, as TF-Slim)

  std::vector<float> params;  // [C*K + K]
  std::vector<float> grads;   // same layout

  // Activations of the last forward (B rows used).
  int B = 0;
  bool training = false;           // dropout was on
  std::vector<float> dropped;      // [max_batch, C]
  std::vector<float> diff_dropped; // [max_batch, C], fine-tuning only
  std::vector<float> mask;         // [max_batch, C]
  std::vector<float> logits;       // [max_batch, K]
  std::vector<float> probs;        // [max_batch, K]
  std::vector<float> diff_logits;  // [max_batch, K]

  float* W() { return params.data(); }
  float* b() { return params.data() + static_cast<size_t>(C) * K; }
  const float* W() const { return params.data(); }
  const float* b() const { return params.data() + static_cast<size_t>(C) * K; }
};

// W from a normal with stddev 0.001 truncated at 2 sigma and b = 0, as TensorFlow's retrain.py
// initialises its final layer.
HeadNet make_head_net(int C, int K, int max_batch, float keep, float weight_decay, Rng& rng);

// Forward over B rows of features [B,C]. training: dropout on (rng used). Returns the loss:
// weighted mean cross-entropy + L2 (labels/sample_weight may be null when only probs are wanted;
// the loss is then 0).
float head_forward(HeadNet& net, const float* features, const int* labels, const float* sample_weight, int B,
                   bool training, Rng* rng);
void head_zero_grad(HeadNet& net);
// Gradients of the last forward's loss (it must have had labels). diff_features [B,C], when
// given, gets the gradient with respect to the features added into it (fine-tuning).
void head_backward(HeadNet& net, const int* labels, const float* sample_weight, float* diff_features = nullptr);

// The head as a model part (HWIO [1,1,C,K] weights) and back.
Head to_model_head(const HeadNet& net);
void load_model_head(HeadNet& net, const Head& head);
// A HeadNet holding a trained model's head, for inference in batches of max_batch.
HeadNet head_net_for_inference(const Head& head, int max_batch);

}  // namespace blastscan
