// Reads weights out of a frozen GraphDef by TF-Slim name for the topology in inception_v3.h
// (it does not interpret arbitrary graphs), and writes a frozen GraphDef that TensorFlow and
// OpenCV DNN run as is. Import checks, in the part of the graph it needs, that every op is one
// it knows and that conv/pool attributes and weight shapes match the topology.
#include "formats/graphdef.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <utility>
#include <vector>
#include <set>

#include <fmt/format.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/file_io.h"
#include "base/float_text.h"
#include "base/json_number.h"
#include "base/safe_text.h"
#include "formats/labels.h"
#include "inception/inception_v3.h"
#include "inception/preprocessing_recipe.h"
#include "tensorflow_graph.pb.h"

namespace blastscan {

namespace {

const std::string kScope = "InceptionV3/";
const std::string kMetadataNode = "blastscan/metadata";
const std::string kHeadScope = "Logits/Conv2d_1c_1x1";
constexpr float kDefaultBatchNormEpsilon = 0.001f;  // TF-Slim's inception_v3_arg_scope

// Ops a frozen TF-Slim Inception V3 may contain in the part we import.
const std::set<std::string> kKnownOps = {
    "Const", "Identity", "Placeholder", "Conv2D", "BiasAdd", "Relu", "FusedBatchNorm", "FusedBatchNormV2",
    "FusedBatchNormV3", "Mul", "Add", "AddV2", "Sub", "Rsqrt", "MaxPool", "AvgPool", "ConcatV2", "Concat",
    "Squeeze", "Reshape", "Softmax", "Shape", "Mean"};

// ---------------------------------------------------------------------------------------------
// Reading

class GraphReader {
 public:
  GraphReader(const tensorflow::GraphDef& graph, std::string name) : name_(std::move(name)) {
    for (const auto& node : graph.node())
      if (!nodes_.emplace(node.name(), &node).second) fail(node, "defined twice (node names are unique in a GraphDef)");
    check_acyclic();
  }

  const std::string& name() const { return name_; }

  // A node under the InceptionV3 scope; frozen slim graphs name ops InceptionV3/InceptionV3/...
  // while their weights keep one InceptionV3/, so both are tried.
  const tensorflow::NodeDef* find(const std::string& scoped) const {
    for (const auto& prefix : {kScope, kScope + kScope})
      if (auto it = nodes_.find(prefix + scoped); it != nodes_.end()) return it->second;
    return nullptr;
  }
  const tensorflow::NodeDef* find_exact(const std::string& full) const {
    auto it = nodes_.find(full);
    return it == nodes_.end() ? nullptr : it->second;
  }

  // The float value of a Const (following Identity nodes), or nullopt if there is no such node.
  std::optional<Tensor> constant(const std::string& scoped) const {
    const auto* node = find(scoped);
    if (!node) return std::nullopt;
    return value_of(*node);
  }

  // The float Const behind input `index` of `op` (through Identity nodes), or nullopt if `op` is
  // null. TF2's convert_variables_to_constants_v2 names a frozen variable after its read op
  // (S/Conv2D/ReadVariableOp/resource), not after the variable (S/weights), so the weights of
  // such a graph are found from the ops that use them.
  std::optional<Tensor> input_constant(const tensorflow::NodeDef* op, int index) const {
    if (!op) return std::nullopt;
    if (op->input_size() <= index) fail(*op, "has " + std::to_string(op->input_size()) + " inputs, expected at least " + std::to_string(index + 1));
    const std::string input = input_name(*op, index);
    const auto* node = find_exact(input);
    if (!node) fail(*op, "input '" + input + "' is not in the graph");
    return value_of(*node);
  }
  // Whether input `index` of `op` is there and comes from a Const.
  bool has_input_constant(const tensorflow::NodeDef& op, int index) const {
    if (op.input_size() <= index) return false;
    const auto* node = find_exact(input_name(op, index));
    return node && skip_identities(*node).op() == "Const";
  }

  [[noreturn]] void fail(const tensorflow::NodeDef& node, const std::string& problem) const {
    throw InputError(name_ + ": node '" + node.name() + "': " + problem);
  }

  const std::map<std::string, const tensorflow::NodeDef*>& nodes() const { return nodes_; }

 private:
  static std::string input_name(const tensorflow::NodeDef& op, int index) {
    const std::string& input = op.input(index);
    return input.substr(0, input.find(':'));  // "node:0" is output 0 of node
  }
  // A node's producers: its inputs without the output port ("node:1") or the control mark ("^node").
  static std::string producer(const std::string& input) {
    const size_t start = input.starts_with('^') ? 1 : 0;
    return input.substr(start, input.find(':', start) - start);
  }
  // A frozen graph is a DAG; one whose node feeds itself (directly or around a loop) is damaged,
  // and TensorFlow refuses it. blastscan computes from its own topology table, so such a file
  // would load and answer as if it were whole. Depth-first with an explicit stack: a chain of a
  // million nodes must not overflow the call stack.
  void check_acyclic() const {
    enum class Mark { unseen, open, done };
    std::map<const tensorflow::NodeDef*, Mark> mark;
    for (const auto& [unused, root] : nodes_) {
      if (mark[root] != Mark::unseen) continue;
      std::vector<std::pair<const tensorflow::NodeDef*, int>> stack = {{root, 0}};  // node, next input
      mark[root] = Mark::open;
      while (!stack.empty()) {
        auto& [node, next] = stack.back();
        if (next == node->input_size()) {
          mark[node] = Mark::done;
          stack.pop_back();
          continue;
        }
        const tensorflow::NodeDef* input = find_exact(producer(node->input(next++)));
        if (!input) continue;  // a missing producer is reported where it is used
        Mark& m = mark[input];
        if (m == Mark::open)
          fail(*input, input == node ? "takes its own output as input (a frozen graph has no cycles)"
                                     : "is on a cycle through '" + node->name() + "' (a frozen graph has no cycles)");
        if (m == Mark::unseen) {
          m = Mark::open;
          stack.emplace_back(input, 0);
        }
      }
    }
  }
  const tensorflow::NodeDef& skip_identities(const tensorflow::NodeDef& first) const {
    const tensorflow::NodeDef* node = &first;
    for (int hops = 0; node->op() == "Identity" && node->input_size() > 0 && hops < 8; ++hops) {
      const auto* next = find_exact(node->input(0));
      if (!next) break;
      node = next;
    }
    return *node;
  }
  Tensor value_of(const tensorflow::NodeDef& first) const {
    const tensorflow::NodeDef* node = &skip_identities(first);
    if (node->op() != "Const") fail(*node, "is a " + node->op() + ", expected a Const");
    const auto it = node->attr().find("value");
    if (it == node->attr().end() || !it->second.has_tensor()) fail(*node, "Const without a value");
    return to_tensor(*node, it->second.tensor());
  }

  Tensor to_tensor(const tensorflow::NodeDef& node, const tensorflow::TensorProto& proto) const {
    if (proto.dtype() != tensorflow::DT_FLOAT) fail(node, "dtype " + std::to_string(proto.dtype()) + ", expected float");
    Shape shape;
    for (const auto& d : proto.tensor_shape().dim()) {
      if (d.size() < 0 || d.size() > (int64_t(1) << 31)) fail(node, "bad dimension " + std::to_string(d.size()));
      shape.push_back(d.size());
    }
    const int64_t count = element_count(shape);
    if (count > (int64_t(1) << 30)) fail(node, "tensor of " + std::to_string(count) + " values is too large");
    Tensor t(shape);
    if (!proto.tensor_content().empty()) {
      if (proto.tensor_content().size() != size_t(count) * sizeof(float))
        fail(node, "tensor_content has " + std::to_string(proto.tensor_content().size()) + " bytes, shape " +
                       to_string(shape) + " needs " + std::to_string(count * 4));
      std::memcpy(t.ptr(), proto.tensor_content().data(), proto.tensor_content().size());
    } else if (proto.float_val_size() == count) {
      std::copy(proto.float_val().begin(), proto.float_val().end(), t.data.begin());
    } else if (proto.float_val_size() == 1) {  // TF stores a splat as one value
      std::fill(t.data.begin(), t.data.end(), proto.float_val(0));
    } else {
      fail(node, "has " + std::to_string(proto.float_val_size()) + " values, shape " + to_string(shape) + " needs " +
                     std::to_string(count));
    }
    // NaN compares false with everything: a NaN weight gave "Benign nan" without a LOW flag.
    const auto bad = std::find_if(t.data.begin(), t.data.end(), [](float v) { return !std::isfinite(v); });
    if (bad != t.data.end())
      fail(node, std::string("holds ") + (std::isnan(*bad) ? "NaN" : "infinite") + " values (the first at index " +
                     std::to_string(bad - t.data.begin()) + ")");
    return t;
  }

  std::string name_;
  std::map<std::string, const tensorflow::NodeDef*> nodes_;
};

Tensor require_shape(const GraphReader& g, const std::string& scoped, std::optional<Tensor> t, const Shape& expected) {
  if (!t) throw InputError(g.name() + ": node '" + kScope + scoped + "' is missing");
  if (t->shape != expected)
    throw InputError(g.name() + ": node '" + kScope + scoped + "': shape " + to_string(t->shape) + ", expected " +
                     to_string(expected));
  return std::move(*t);
}

// The batch-norm op of a conv scope (TF-Slim names it S/BatchNorm/FusedBatchNorm[V2|V3]).
const tensorflow::NodeDef* find_batch_norm(const GraphReader& g, const std::string& scope) {
  for (const char* op : {"/BatchNorm/FusedBatchNorm", "/BatchNorm/FusedBatchNormV3", "/BatchNorm/FusedBatchNormV2"})
    if (const auto* node = g.find(scope + op)) return node;
  return nullptr;
}

float batch_norm_epsilon(const tensorflow::NodeDef* batch_norm) {
  if (batch_norm)
    if (auto it = batch_norm->attr().find("epsilon"); it != batch_norm->attr().end()) return it->second.f();
  return kDefaultBatchNormEpsilon;
}

// A constant by its TF-Slim variable name, else the one behind input `index` of `op`.
std::optional<Tensor> named_or_input(const GraphReader& g, const std::string& scoped, const tensorflow::NodeDef* op,
                                     int index) {
  if (auto t = g.constant(scoped)) return t;
  return g.input_constant(op, index);
}

bool has_conv_weights(const GraphReader& g, const std::string& scope) {
  if (g.find(scope + "/weights")) return true;
  const auto* conv = g.find(scope + "/Conv2D");
  return conv && g.has_input_constant(*conv, 1);
}

// Conv weights in either form: with biases, or with BatchNorm constants folded in here:
// A = gamma / sqrt(var + eps), W' = W * A, b = beta - mean * A. Each constant is found by its
// TF-Slim name, else through the op that reads it (FusedBatchNorm inputs: x, scale, offset,
// mean, variance).
ConvWeights read_conv(const GraphReader& g, const std::string& scope, const Shape& wshape) {
  ConvWeights conv;
  conv.weights = require_shape(g, scope + "/weights", named_or_input(g, scope + "/weights", g.find(scope + "/Conv2D"), 1), wshape);
  const Shape oc_shape = {wshape[3]};
  const std::string bn = scope + "/BatchNorm/";
  const tensorflow::NodeDef* batch_norm = find_batch_norm(g, scope);
  auto biases = g.constant(scope + "/biases");
  if (!biases && !batch_norm && !g.find(bn + "moving_mean")) biases = g.input_constant(g.find(scope + "/BiasAdd"), 1);
  if (biases) {
    conv.bias = require_shape(g, scope + "/biases", std::move(biases), oc_shape);
    return conv;
  }
  if (!batch_norm && !g.find(bn + "moving_mean"))
    throw InputError(g.name() + ": conv '" + kScope + scope + "' has weights but neither biases nor BatchNorm constants");
  const Tensor mean = require_shape(g, bn + "moving_mean", named_or_input(g, bn + "moving_mean", batch_norm, 3), oc_shape);
  const Tensor var = require_shape(g, bn + "moving_variance", named_or_input(g, bn + "moving_variance", batch_norm, 4), oc_shape);
  const Tensor beta = require_shape(g, bn + "beta", named_or_input(g, bn + "beta", batch_norm, 2), oc_shape);
  auto gamma_node = named_or_input(g, bn + "gamma", batch_norm, 1);  // TF-Slim's scale=False feeds ones
  const Tensor gamma = gamma_node ? require_shape(g, bn + "gamma", std::move(gamma_node), oc_shape)
                                  : Tensor(oc_shape, std::vector<float>(size_t(wshape[3]), 1.f));
  const float eps = batch_norm_epsilon(batch_norm);
  const std::string where = g.name() + ": conv '" + kScope + scope + "': BatchNorm ";
  conv.bias = Tensor(oc_shape);
  const int64_t OC = wshape[3];
  for (int64_t o = 0; o < OC; ++o) {
    // Finite constants alone do not make finite weights: a variance of -epsilon divides by
    // zero, a negative one takes the root of it, and a huge gamma overflows. Such a model
    // would answer NaN ("Benign nan"), and wrote back as one that no longer loads.
    const float variance = var.data[size_t(o)] + eps;
    if (!(variance > 0))
      throw InputError(fmt::format("{}moving_variance + epsilon is {} at channel {}, expected > 0", where, variance, o));
    const float a = gamma.data[size_t(o)] / std::sqrt(variance);
    conv.bias.data[size_t(o)] = beta.data[size_t(o)] - mean.data[size_t(o)] * a;
    for (int64_t i = o; i < conv.weights.size(); i += OC) conv.weights.data[size_t(i)] *= a;
  }
  const auto finite = [](const Tensor& t) { return std::all_of(t.data.begin(), t.data.end(), [](float v) { return std::isfinite(v); }); };
  if (!finite(conv.weights) || !finite(conv.bias))
    throw InputError(where + "folded into the weights overflows float (gamma / sqrt(moving_variance + epsilon) too large)");
  return conv;
}

// Attributes TensorFlow writes that change what an op computes, in forms blastscan does not run:
// refused by name rather than computed differently.
void check_attributes(const GraphReader& g, const tensorflow::NodeDef& node) {
  static const std::set<std::string> kFloatOps = {"Conv2D",  "BiasAdd",          "Relu",
                                                  "MaxPool", "AvgPool",          "ConcatV2",
                                                  "FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3"};
  const auto& attr = node.attr();
  const auto is_batch_norm = node.op().rfind("FusedBatchNorm", 0) == 0;
  if (kFloatOps.count(node.op()))
    for (const char* key : {"T", "U"})
      if (auto it = attr.find(key); it != attr.end() && it->second.type() != tensorflow::DT_FLOAT)
        g.fail(node, std::string("attribute '") + key + "' is " +
                         (tensorflow::DataType_IsValid(it->second.type()) ? tensorflow::DataType_Name(it->second.type())
                                                                          : "type " + std::to_string(it->second.type())) +
                         ", only DT_FLOAT is supported");
  if (auto it = attr.find("data_format"); it != attr.end() && it->second.s() != "NHWC")
    g.fail(node, "attribute data_format '" + it->second.s() + "' is not supported (only NHWC)");
  if (node.op() == "Conv2D")
    if (auto it = attr.find("dilations"); it != attr.end())
      for (auto d : it->second.list().i())
        if (d != 1) g.fail(node, "attribute dilations: dilated convolutions are not supported (only 1)");
  if (is_batch_norm)
    if (auto it = attr.find("is_training"); it != attr.end() && it->second.b())
      g.fail(node, "attribute is_training is true: a batch norm in training mode normalises by the batch, not by "
                   "its moving statistics (freeze the graph for inference)");
}

// Every op in the scopes we use must be known, and Conv2D/pool attributes must match the topology.
void check_ops(const GraphReader& g, const std::vector<Layer>& layers) {
  std::set<std::string> scopes = {kHeadScope};
  for (const auto& l : layers) scopes.insert(l.name);
  for (const auto& [full, node] : g.nodes()) {
    std::string scoped = full;
    while (scoped.rfind(kScope, 0) == 0) scoped = scoped.substr(kScope.size());
    if (scoped == full) continue;
    const bool needed = scopes.count(scoped) ||
                        std::any_of(scopes.begin(), scopes.end(), [&](const std::string& s) {
                          return scoped.size() > s.size() && scoped.compare(0, s.size(), s) == 0 && scoped[s.size()] == '/';
                        });
    if (!needed) continue;
    if (!kKnownOps.count(node->op())) g.fail(*node, "unknown op '" + node->op() + "'");
    check_attributes(g, *node);
  }
  const auto ints = [](const tensorflow::NodeDef& n, const char* key) {
    std::vector<int64_t> v;
    if (auto it = n.attr().find(key); it != n.attr().end()) v.assign(it->second.list().i().begin(), it->second.list().i().end());
    return v;
  };
  for (const auto& l : layers) {
    const tensorflow::NodeDef* node = l.kind == LayerKind::Conv ? g.find(l.name + "/Conv2D") : g.find(l.name);
    if (!node || l.kind == LayerKind::Concat) continue;
    const std::string padding = l.padding == Padding::Same ? "SAME" : "VALID";
    if (auto it = node->attr().find("padding"); it != node->attr().end() && it->second.s() != padding)
      g.fail(*node, "padding " + it->second.s() + ", expected " + padding +
                        (it->second.s() == "EXPLICIT" ? " (explicit_paddings are not supported)" : ""));
    if (auto s = ints(*node, "strides"); !s.empty() && s != std::vector<int64_t>{1, l.SH, l.SW, 1})
      g.fail(*node, "strides do not match TF-Slim Inception V3 (expected stride " + std::to_string(l.SH) + ")");
    if (l.kind != LayerKind::Conv)
      if (auto k = ints(*node, "ksize"); !k.empty() && k != std::vector<int64_t>{1, l.KH, l.KW, 1})
        g.fail(*node, "pool size does not match TF-Slim Inception V3");
  }
}

std::string choose_endpoint(const GraphReader& g, const std::string& requested) {
  if (requested != "auto") {
    if (!is_endpoint(requested)) throw InputError("unknown end point '" + requested + "' (expected Conv2d_1a_3x3 ... Mixed_7c or auto)");
    return requested;
  }
  std::string deepest;
  for (const auto& endpoint : inception_v3_endpoints()) {
    const auto layers = inception_v3_layers(endpoint);
    const bool complete = std::all_of(layers.begin(), layers.end(), [&](const Layer& l) {
      return l.kind != LayerKind::Conv || has_conv_weights(g, l.name);
    });
    if (!complete) break;
    deepest = endpoint;
  }
  if (deepest.empty())
    throw InputError(g.name() + ": no Inception V3 weights found (expected nodes like '" + kScope +
                     "Conv2d_1a_3x3/weights')");
  return deepest;
}

void read_metadata(const GraphReader& g, Model& model) {
  const auto* node = g.find_exact(kMetadataNode);
  if (!node) return;
  const auto it = node->attr().find("value");
  if (it == node->attr().end() || it->second.tensor().string_val_size() != 1) g.fail(*node, "expected one string");
  const auto json = nlohmann::json::parse(it->second.tensor().string_val(0), nullptr, false);
  if (json.is_discarded() || !json.is_object()) g.fail(*node, "metadata is not a JSON object");
  try {
    model.classes = json.value("classes", std::vector<std::string>{});
    model.positive = json.value("positive", std::vector<std::string>{});
    model.preprocessing = json.value("preprocessing", model.preprocessing);
    if (json.contains("int8_calibration")) {
      const auto& c = json.at("int8_calibration");
      model.calibration_images = json_number<int>(c.at("images"));
      for (const auto& [layer, max] : c.at("activation_max").items()) model.activation_max[layer] = json_number<float>(max);
    }
  } catch (const nlohmann::json::exception& e) {
    g.fail(*node, std::string("bad metadata: ") + e.what());
  }
  // A recipe the predictor cannot run is refused here, naming the file, not at the first image.
  try {
    preprocessing_recipe(model.preprocessing);
  } catch (const InputError& e) {
    g.fail(*node, e.what());
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

class GraphWriter {
 public:
  tensorflow::GraphDef graph;

  tensorflow::NodeDef& add(const std::string& name, const std::string& op, std::vector<std::string> inputs) {
    auto* node = graph.add_node();
    node->set_name(name);
    node->set_op(op);
    for (auto& in : inputs) node->add_input(in);
    if (op != "Const" && op != "Placeholder") (*node->mutable_attr())["T"].set_type(tensorflow::DT_FLOAT);
    return *node;
  }
  static void set_ints(tensorflow::NodeDef& node, const std::string& key, std::initializer_list<int64_t> values) {
    auto* list = (*node.mutable_attr())[key].mutable_list();
    for (auto v : values) list->add_i(v);
  }
  static void set_string(tensorflow::NodeDef& node, const std::string& key, const std::string& value) {
    (*node.mutable_attr())[key].set_s(value);
  }
  void constant(const std::string& name, const Tensor& t) {
    auto& node = add(name, "Const", {});
    (*node.mutable_attr())["dtype"].set_type(tensorflow::DT_FLOAT);
    auto* proto = (*node.mutable_attr())["value"].mutable_tensor();
    proto->set_dtype(tensorflow::DT_FLOAT);
    for (auto d : t.shape) proto->mutable_tensor_shape()->add_dim()->set_size(d);
    proto->set_tensor_content(std::string(reinterpret_cast<const char*>(t.ptr()), size_t(t.size()) * sizeof(float)));
  }
  void int_constant(const std::string& name, std::vector<int32_t> values, bool scalar) {
    auto& node = add(name, "Const", {});
    (*node.mutable_attr())["dtype"].set_type(tensorflow::DT_INT32);
    auto* proto = (*node.mutable_attr())["value"].mutable_tensor();
    proto->set_dtype(tensorflow::DT_INT32);
    if (!scalar) proto->mutable_tensor_shape()->add_dim()->set_size(int64_t(values.size()));
    for (auto v : values) proto->add_int_val(v);
  }
  void string_constant(const std::string& name, const std::string& value) {
    auto& node = add(name, "Const", {});
    (*node.mutable_attr())["dtype"].set_type(tensorflow::DT_STRING);
    auto* proto = (*node.mutable_attr())["value"].mutable_tensor();
    proto->set_dtype(tensorflow::DT_STRING);
    proto->add_string_val(value);
  }
  // Conv2D -> BiasAdd [-> Relu]; returns the output node's name.
  std::string conv(const std::string& scope, const std::string& input, const ConvWeights& w, int stride,
                   Padding padding, bool relu) {
    constant(scope + "/weights", w.weights);
    constant(scope + "/biases", w.bias);
    auto& conv = add(scope + "/Conv2D", "Conv2D", {input, scope + "/weights"});
    set_ints(conv, "strides", {1, stride, stride, 1});
    set_ints(conv, "dilations", {1, 1, 1, 1});
    set_string(conv, "padding", padding == Padding::Same ? "SAME" : "VALID");
    set_string(conv, "data_format", "NHWC");
    (*conv.mutable_attr())["use_cudnn_on_gpu"].set_b(true);
    set_string(add(scope + "/BiasAdd", "BiasAdd", {scope + "/Conv2D", scope + "/biases"}), "data_format", "NHWC");
    if (!relu) return scope + "/BiasAdd";
    add(scope + "/Relu", "Relu", {scope + "/BiasAdd"});
    return scope + "/Relu";
  }
  std::string pool(const std::string& name, const std::string& op, const std::string& input, int KH, int KW,
                   int stride, Padding padding) {
    auto& node = add(name, op, {input});
    set_ints(node, "ksize", {1, KH, KW, 1});
    set_ints(node, "strides", {1, stride, stride, 1});
    set_string(node, "padding", padding == Padding::Same ? "SAME" : "VALID");
    set_string(node, "data_format", "NHWC");
    return name;
  }
};

tensorflow::GraphDef parse_graph(std::span<const uint8_t> bytes, const std::string& name) {
  if (bytes.empty()) throw InputError(name + ": empty file");
  tensorflow::GraphDef graph;
  if (!graph.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    throw InputError(name + ": not a TensorFlow GraphDef (protobuf parse failed: truncated or another format)");
  if (graph.node_size() == 0) throw InputError(name + ": the GraphDef has no nodes");
  return graph;
}

Model model_from_graph(const tensorflow::GraphDef& graph, const std::string& name, const ImportOptions& options) {
  const GraphReader g(graph, name);

  Model model;
  model.endpoint = choose_endpoint(g, options.endpoint);
  const auto layers = inception_v3_layers(model.endpoint);
  check_ops(g, layers);
  for (const auto& c : conv_shapes(layers)) model.convs[c.layer->name] = read_conv(g, c.layer->name, {c.KH, c.KW, c.IC, c.OC});

  if (auto weights = named_or_input(g, kHeadScope + "/weights", g.find(kHeadScope + "/Conv2D"), 1)) {
    const int64_t C = infer_shapes(layers, 299).back().C;
    if (weights->shape.size() != 4 || weights->dim(0) != 1 || weights->dim(1) != 1 || weights->dim(2) != C) {
      // A head for a deeper end point than the one asked for is of no use here.
      if (options.endpoint != "auto") return read_metadata(g, model), model;
      throw InputError(name + ": node '" + kScope + kHeadScope + "/weights': shape " + to_string(weights->shape) +
                       ", expected [1,1," + std::to_string(C) + ",K] for end point " + model.endpoint);
    }
    Head head;
    const int64_t K = weights->dim(3);
    if (K < 1)
      throw InputError(name + ": node '" + kScope + kHeadScope + "/weights': shape " + to_string(weights->shape) +
                       ": a head with no classes");
    head.weights = std::move(*weights);
    head.biases = require_shape(g, kHeadScope + "/biases",
                                named_or_input(g, kHeadScope + "/biases", g.find(kHeadScope + "/BiasAdd"), 1), {K});
    model.head = std::move(head);
  }
  read_metadata(g, model);
  if (model.head && !model.classes.empty() && int(model.classes.size()) != model.head->num_classes())
    throw InputError(name + ": " + std::to_string(model.classes.size()) + " class names for a head with " +
                     std::to_string(model.head->num_classes()) + " outputs");
  return model;
}

}  // namespace

Model parse_graphdef(std::span<const uint8_t> bytes, const std::string& name, const ImportOptions& options) {
  return model_from_graph(parse_graph(bytes, name), name, options);
}

std::vector<uint8_t> serialize_graphdef(const Model& model) {
  GraphWriter w;
  w.graph.mutable_versions()->set_producer(26);
  const auto layers = inception_v3_layers(model.endpoint);
  const auto shapes = infer_shapes(layers, 299);

  auto& input = w.add("input", "Placeholder", {});
  (*input.mutable_attr())["dtype"].set_type(tensorflow::DT_FLOAT);
  for (int64_t d : {-1, 299, 299, 3}) (*input.mutable_attr())["shape"].mutable_shape()->add_dim()->set_size(d);

  std::map<std::string, std::string> output_of{{"input", "input"}};
  for (const auto& l : layers) {
    const std::string scope = kScope + l.name;
    const std::string& x = output_of.at(l.inputs[0]);
    switch (l.kind) {
      case LayerKind::Conv:
        output_of[l.name] = w.conv(scope, x, model.convs.at(l.name), l.SH, l.padding, true);
        break;
      case LayerKind::MaxPool:
      case LayerKind::AvgPool:
        output_of[l.name] = w.pool(scope, l.kind == LayerKind::MaxPool ? "MaxPool" : "AvgPool", x, l.KH, l.KW, l.SH, l.padding);
        break;
      case LayerKind::Concat: {
        std::vector<std::string> inputs;
        for (const auto& in : l.inputs) inputs.push_back(output_of.at(in));
        inputs.push_back(scope + "/axis");
        w.int_constant(scope + "/axis", {3}, true);
        auto& node = w.add(scope, "ConcatV2", inputs);
        (*node.mutable_attr())["N"].set_i(int64_t(l.inputs.size()));
        (*node.mutable_attr())["Tidx"].set_type(tensorflow::DT_INT32);
        output_of[l.name] = scope;
      }
    }
  }
  // Logits/AvgPool_1a_8x8 pools the whole end point (8x8 at Mixed_7c, hence the name).
  const LayerShape last = shapes.back();
  const std::string pooled = w.pool(kScope + "Logits/AvgPool_1a_8x8", "AvgPool", output_of.at(layers.back().name),
                                    last.H, last.W, 1, Padding::Valid);
  if (model.head) {
    const int K = model.head->num_classes();
    const auto logits = w.conv(kScope + kHeadScope, pooled, {model.head->weights, model.head->biases}, 1, Padding::Valid, false);
    auto& squeeze = w.add(kScope + "Logits/SpatialSqueeze", "Squeeze", {logits});
    GraphWriter::set_ints(squeeze, "squeeze_dims", {1, 2});
    w.add(kScope + "Predictions/Softmax", "Softmax", {kScope + "Logits/SpatialSqueeze"});
    w.int_constant(kScope + "Predictions/Shape", {-1, K}, false);
    auto& reshape = w.add(kScope + "Predictions/Reshape_1", "Reshape", {kScope + "Predictions/Softmax", kScope + "Predictions/Shape"});
    (*reshape.mutable_attr())["Tshape"].set_type(tensorflow::DT_INT32);
  }
  nlohmann::json metadata = {{"format", "blastscan"},        {"endpoint", model.endpoint},
                             {"classes", model.classes},     {"positive", model.positive},
                             {"preprocessing", model.preprocessing}};
  // int8: the calibrated range of every layer's output (blastscan quantize). The fp32 weights
  // stay as they are, so other runtimes read the graph as before.
  if (!model.activation_max.empty())
    metadata["int8_calibration"] = {{"images", model.calibration_images}, {"activation_max", as_written(model.activation_max)}};
  w.string_constant(kMetadataNode, json_text(metadata));

  // Deterministic: attr maps in key order, so the same model always gives the same bytes.
  std::vector<uint8_t> bytes(w.graph.ByteSizeLong());
  google::protobuf::io::ArrayOutputStream array(bytes.data(), static_cast<int>(bytes.size()));
  google::protobuf::io::CodedOutputStream coded(&array);
  coded.SetSerializationDeterministic(true);
  w.graph.SerializeToCodedStream(&coded);
  return bytes;
}

Model load_model(const std::filesystem::path& path, const ImportOptions& options) {
  // The file's bytes go before the weights are copied out of the parsed graph: two copies of
  // the weights in memory at a time, not three (the full model's peak RSS: 313 -> ~200 MB).
  tensorflow::GraphDef graph;
  {
    const auto bytes = read_file(path);
    graph = parse_graph(bytes, path.string());
  }
  Model model = model_from_graph(graph, path.string(), options);
  graph = {};
  // Without blastscan/metadata (another tool's graph, as the seed's ALLGraph.pb, or a blastscan
  // file cut short at a node boundary) the names come from labels.txt beside the file, and
  // which of them mean ALL from the names; a model that cannot say is refused, never served
  // answering "not ALL" to everything.
  if (model.head && model.classes.empty()) {
    const auto labels = path.parent_path() / "labels.txt";
    if (!std::filesystem::exists(labels))
      throw InputError(path.string() + ": no '" + kMetadataNode + "' node (the file may be cut short) and no labels.txt " +
                       "beside it: the class names and which of them mean ALL are unknown");
    model.classes = parse_labels(read_text_file(labels), labels.string());
    if (int(model.classes.size()) != model.head->num_classes())
      throw InputError(labels.string() + ": " + std::to_string(model.classes.size()) + " classes, the model has " +
                       std::to_string(model.head->num_classes()) + " outputs");
    model.positive = default_positive_classes(model.classes);
    if (model.positive.empty())
      throw InputError(path.string() + ": no '" + kMetadataNode + "' node, and the names in labels.txt do not say which " +
                       "classes mean ALL (exactly one must be named like benign, healthy, normal, hem or 0)");
  }
  check_classes(model, path.string());
  return model;
}

void save_model(const Model& model, const std::filesystem::path& path) {
  check_classes(model, path.string());
  write_file_atomic(path, serialize_graphdef(model));
  if (!model.classes.empty()) write_file_atomic(path.parent_path() / "labels.txt", format_labels(model.classes));
}

}  // namespace blastscan
