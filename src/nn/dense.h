// The classification head's math on [N, C] feature rows, in plain loops: it is tiny next to the
// backbone (C x K multiply-adds per image), and the trainer runs forward and backward on
// cached features with the same functions.
// Shapes: x [N,C], weights [C,K] (the 1x1 conv's HWIO with H=W=1), bias [K], y [N,K].
#pragma once

namespace blastscan {

// y = x . weights + bias
void dense_forward(const float* x, const float* weights, const float* bias, int N, int C, int K, float* y);

// Row-wise softmax of logits [N,K] into probs (max-subtracted for stability).
void softmax_forward(const float* logits, int N, int K, float* probs);

}  // namespace blastscan
