#include "inception/model.h"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <set>

#include "base/error.h"
#include "base/safe_text.h"

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

void check_classes(const Model& model, const std::string& where) {
  std::set<std::string> seen;
  for (const auto& name : model.classes) {
    const bool control = std::any_of(name.begin(), name.end(), [](char c) { return uint8_t(c) < 0x20 || c == 0x7F; });
    if (name.empty() || control || !is_valid_utf8(name))
      throw InputError(where + ": class name '" + name + "' " +
                       (name.empty() ? "is empty" : control ? "holds a control character" : "is not valid UTF-8"));
    if (!seen.insert(name).second) throw InputError(where + ": class '" + name + "' is named twice");
  }
  for (const auto& p : model.positive)
    if (!seen.count(p)) throw InputError(where + ": ALL class '" + p + "' is not one of the model's classes");
}

std::vector<std::string> default_positive_classes(const std::vector<std::string>& classes) {
  static const std::vector<std::string> negative_words = {"benign", "healthy", "normal", "negative"};
  const auto is_negative = [&](std::string name) {
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    if (name == "0" || name == "hem") return true;  // "hem": C-NMC's normal B cells (ALL vs HEM)
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
