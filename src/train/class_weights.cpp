#include "train/class_weights.h"

#include "base/error.h"

namespace blastscan {

std::vector<float> make_class_weights(const std::string& mode, const std::vector<int>& labels, int K) {
  if (mode == "none") return std::vector<float>(static_cast<size_t>(K), 1.f);
  if (mode != "auto") throw InputError("class_weights: '" + mode + "', expected none or auto");
  std::vector<size_t> count(static_cast<size_t>(K), 0);
  for (int y : labels) ++count.at(static_cast<size_t>(y));
  std::vector<float> weights(static_cast<size_t>(K), 0.f);
  for (size_t k = 0; k < count.size(); ++k)
    if (count[k] > 0) weights[k] = static_cast<float>(double(labels.size()) / (double(K) * double(count[k])));
  return weights;
}

}  // namespace blastscan
