// The layers of the classification head, as free functions with forward and backward side by
// side (llm.c): the network's inference runs the forward ones, transfer learning both. Plain
// loops, because the head is tiny next to the backbone (C x K multiply-adds per image).
// Shapes: B = batch, C = feature channels, K = classes.
// The head sees the backbone's globally averaged features, so Logits/Conv2d_1c_1x1 (a 1x1 conv
// on a 1x1 map) is a dense layer: W is HWIO [1,1,C,K], i.e. row-major [C,K].
// Gradients with respect to the features (dropout_backward, dense_backward_data) are for
// fine-tuning, where they flow on into the global average pool and the trainable blocks.
// Backward functions add (+=) into gradient buffers; the caller zeroes them once per step.
#pragma once
#include <cstddef>

namespace blastscan {

class Rng;

// ---- dropout (TF: kept units are scaled by 1/keep, so inference needs no rescale)
// dst[B,C], mask[B,C] (0 or 1/keep, what backward would need), src[B,C].
void dropout_forward(float* dst, float* mask, const float* src, int B, int C, float keep, Rng& rng);
// diff_src[B,C] += diff_dst * mask
void dropout_backward(float* diff_src, const float* diff_dst, const float* mask, int B, int C);

// ---- dense: logits = src . W + b
void dense_forward(float* logits, const float* src, const float* W, const float* b, int B, int C, int K);
// diff_W[C,K] += src^T . diff_logits, diff_b[K] += column sums of diff_logits.
void dense_backward(float* diff_W, float* diff_b, const float* diff_logits, const float* src, int B, int C, int K);
// diff_src[B,C] += diff_logits . W^T
void dense_backward_data(float* diff_src, const float* diff_logits, const float* W, int B, int C, int K);

// ---- softmax + cross-entropy, one fused pair because d(loss)/d(logits) = (probs - onehot) is
// simpler and stabler than chaining the two Jacobians.
// sample_weight[B] scales each example's loss (class weights); the batch loss is
// sum(w_i * ce_i) / B, TF's SUM_BY_NONZERO_WEIGHTS reduction when no weight is zero.
void softmax_forward(float* probs, const float* logits, int B, int K);
float cross_entropy_forward(const float* probs, const int* labels, const float* sample_weight, int B, int K);
void cross_entropy_backward(float* diff_logits, const float* probs, const int* labels, const float* sample_weight,
                            int B, int K);

// ---- L2 weight decay as TF-Slim's l2_regularizer: decay * sum(W^2) / 2 (tf.nn.l2_loss).
float l2_forward(const float* W, size_t n, float decay);
void l2_backward(float* diff_W, const float* W, size_t n, float decay);

}  // namespace blastscan
