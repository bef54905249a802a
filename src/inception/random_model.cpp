#include "inception/random_model.h"

#include <cmath>

#include "base/rng.h"
#include "inception/inception_v3.h"

namespace blastscan {

namespace {

// Rng's normal, not std::normal_distribution (whose draws differ between standard libraries):
// a seed names the same model everywhere.
Tensor random_tensor(Shape shape, float stddev, Rng& rng) {
  Tensor t(std::move(shape));
  for (auto& v : t.data) v = rng.normal(stddev);
  return t;
}

}  // namespace

Model make_random_model(const std::string& endpoint, int num_classes, unsigned seed) {
  Rng rng(seed);
  Model model;
  model.endpoint = endpoint;
  const auto layers = inception_v3_layers(endpoint);
  for (const auto& c : conv_shapes(layers))
    model.convs[c.layer->name] = {random_tensor({c.KH, c.KW, c.IC, c.OC}, std::sqrt(2.f / float(c.KH * c.KW * c.IC)), rng),
                                  random_tensor({c.OC}, 0.05f, rng)};
  if (num_classes > 0) {
    const int C = infer_shapes(layers, 299).back().C;
    model.head = Head{random_tensor({1, 1, C, num_classes}, std::sqrt(1.f / float(C)), rng),
                      random_tensor({num_classes}, 0.05f, rng)};
    for (int k = 0; k < num_classes; ++k) model.classes.push_back("class" + std::to_string(k));
  }
  return model;
}

}  // namespace blastscan
