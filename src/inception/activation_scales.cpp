#include "inception/activation_scales.h"

#include <algorithm>
#include <functional>

#include "base/error.h"

namespace blastscan {

// Union-find over layer names: find() follows a name to its group's representative.
std::map<std::string, float> activation_scales(const std::vector<Layer>& layers, const Model& model) {
  std::map<std::string, std::string> parent;
  const std::function<std::string(const std::string&)> find = [&](const std::string& x) -> std::string {
    auto it = parent.find(x);
    if (it == parent.end() || it->second == x) return x;
    return it->second = find(it->second);
  };
  const auto unite = [&](const std::string& a, const std::string& b) { parent[find(a)] = find(b); };
  for (const Layer& layer : layers) {
    if (layer.kind == LayerKind::MaxPool || layer.kind == LayerKind::AvgPool) unite(layer.name, layer.inputs[0]);
    if (layer.kind == LayerKind::Concat)
      for (const auto& in : layer.inputs) unite(in, layer.name);
  }
  const auto max_of = [&](const std::string& name) {
    const auto it = model.activation_max.find(name);
    if (it == model.activation_max.end())
      throw InputError("the model's int8 calibration has no range for '" + name + "'; run `blastscan quantize` again");
    return std::max(it->second, 1e-6f);
  };
  std::map<std::string, float> group_max;
  for (const Layer& layer : layers) group_max[find(layer.name)] = std::max(group_max[find(layer.name)], max_of(layer.name));
  std::map<std::string, float> scale{{"input", max_of("input") / 127.f}};
  for (const Layer& layer : layers) scale[layer.name] = group_max.at(find(layer.name)) / 255.f;
  return scale;
}

}  // namespace blastscan
