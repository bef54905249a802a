#include "inception/model.h"

#include <algorithm>
#include <cctype>
#include <iterator>

namespace blastscan {

bool Model::is_positive(int class_id) const {
  if (class_id < 0 || class_id >= static_cast<int>(classes.size())) return false;
  return std::find(positive.begin(), positive.end(), classes[static_cast<size_t>(class_id)]) != positive.end();
}

int64_t Model::parameter_count() const {
  int64_t n = 0;
  for (const auto& [name, conv] : convs) n += conv.weights.size() + conv.bias.size();
  if (head) n += head->weights.size() + head->biases.size();
  return n;
}

std::vector<std::string> default_positive_classes(const std::vector<std::string>& classes) {
  static const std::vector<std::string> negative_words = {"benign", "healthy", "normal", "negative"};
  const auto is_negative = [&](std::string name) {
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    if (name == "0") return true;
    return std::any_of(negative_words.begin(), negative_words.end(),
                       [&](const std::string& w) { return name.find(w) != std::string::npos; });
  };
  // Only when exactly one class is named like a negative is the default safe; otherwise the
  // user must say which classes mean ALL (--positive), and none are assumed.
  std::vector<std::string> positive;
  if (std::count_if(classes.begin(), classes.end(), is_negative) != 1) return positive;
  std::copy_if(classes.begin(), classes.end(), std::back_inserter(positive), [&](const std::string& c) { return !is_negative(c); });
  return positive;
}

}  // namespace blastscan
