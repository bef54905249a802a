#include "train/head_net.h"

#include <algorithm>
#include <cmath>

#include "base/error.h"
#include "nn/head_layers.h"
#include "base/rng.h"

namespace blastscan {

HeadNet make_head_net(int C, int K, int max_batch, float keep, float weight_decay, Rng& rng) {
  HeadNet net;
  net.C = C;
  net.K = K;
  net.max_batch = max_batch;
  net.keep = keep;
  net.weight_decay = weight_decay;
  const size_t CK = static_cast<size_t>(C) * K;
  net.params.assign(CK + K, 0.f);
  net.grads.assign(CK + K, 0.f);
  for (size_t i = 0; i < CK; ++i) {
    float x;
    do x = rng.normal();
    while (std::fabs(x) > 2.f);
    net.params[i] = 0.001f * x;
  }
  net.dropped.assign(static_cast<size_t>(max_batch) * C, 0.f);
  net.mask.assign(static_cast<size_t>(max_batch) * C, 0.f);
  net.logits.assign(static_cast<size_t>(max_batch) * K, 0.f);
  net.probs.assign(static_cast<size_t>(max_batch) * K, 0.f);
  net.diff_logits.assign(static_cast<size_t>(max_batch) * K, 0.f);
  return net;
}

float head_forward(HeadNet& net, const float* features, const int* labels, const float* sample_weight, int B,
                   bool training, Rng* rng) {
  net.B = B;
  net.training = training;
  const float* src = features;
  if (training) {
    dropout_forward(net.dropped.data(), net.mask.data(), features, B, net.C, net.keep, *rng);
    src = net.dropped.data();
  } else {
    std::copy(features, features + static_cast<size_t>(B) * net.C, net.dropped.begin());  // what backward reads
  }
  dense_forward(net.logits.data(), src, net.W(), net.b(), B, net.C, net.K);
  softmax_forward(net.probs.data(), net.logits.data(), B, net.K);
  if (!labels) return 0.f;
  return cross_entropy_forward(net.probs.data(), labels, sample_weight, B, net.K) +
         l2_forward(net.W(), static_cast<size_t>(net.C) * net.K, net.weight_decay);
}

void head_zero_grad(HeadNet& net) { std::fill(net.grads.begin(), net.grads.end(), 0.f); }

void head_backward(HeadNet& net, const int* labels, const float* sample_weight, float* diff_features) {
  const size_t CK = static_cast<size_t>(net.C) * net.K;
  std::fill(net.diff_logits.begin(), net.diff_logits.end(), 0.f);
  cross_entropy_backward(net.diff_logits.data(), net.probs.data(), labels, sample_weight, net.B, net.K);
  dense_backward(net.grads.data(), net.grads.data() + CK, net.diff_logits.data(), net.dropped.data(), net.B, net.C,
                 net.K);
  l2_backward(net.grads.data(), net.W(), CK, net.weight_decay);
  if (!diff_features) return;
  // Inference mode copied the features into `dropped` with no mask: the gradient passes as it is.
  net.diff_dropped.assign(static_cast<size_t>(net.B) * net.C, 0.f);
  dense_backward_data(net.diff_dropped.data(), net.diff_logits.data(), net.W(), net.B, net.C, net.K);
  if (net.training) dropout_backward(diff_features, net.diff_dropped.data(), net.mask.data(), net.B, net.C);
  else for (size_t i = 0; i < net.diff_dropped.size(); ++i) diff_features[i] += net.diff_dropped[i];
}

Head to_model_head(const HeadNet& net) {
  const size_t CK = static_cast<size_t>(net.C) * net.K;
  Head head;
  head.weights = Tensor({1, 1, net.C, net.K}, std::vector<float>(net.params.begin(), net.params.begin() + CK));
  head.biases = Tensor({net.K}, std::vector<float>(net.params.begin() + CK, net.params.end()));
  return head;
}

void load_model_head(HeadNet& net, const Head& head) {
  if (head.weights.shape != Shape{1, 1, net.C, net.K} || head.biases.shape != Shape{net.K})
    throw InputError("head: shape " + to_string(head.weights.shape) + ", expected [1,1," + std::to_string(net.C) +
                     "," + std::to_string(net.K) + "]");
  std::copy(head.weights.data.begin(), head.weights.data.end(), net.W());
  std::copy(head.biases.data.begin(), head.biases.data.end(), net.b());
}

HeadNet head_net_for_inference(const Head& head, int max_batch) {
  if (head.weights.shape.size() != 4) throw InputError("head: weights shape " + to_string(head.weights.shape) + ", expected [1,1,C,K]");
  Rng unused(0);
  HeadNet net = make_head_net(static_cast<int>(head.weights.dim(2)), head.num_classes(), max_batch, 1.f, 0.f, unused);
  load_model_head(net, head);
  return net;
}

}  // namespace blastscan
