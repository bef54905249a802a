// ONNX export: walks the Inception V3 layer table (inception_v3.h) in graph order and emits one
// ONNX node per TF op (Conv+bias, Relu, MaxPool, AveragePool, Concat), then the head.
// Weights go in as initializers, HWIO transposed to ONNX's OIHW.
#include "formats/onnx_export.h"

#include <bit>
#include <cstring>
#include <map>
#include <string>
#include <variant>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <onnx/onnx_pb.h>

#include "base/error.h"
#include "base/file_io.h"
#include "base/safe_text.h"
#include "inception/inception_v3.h"
#include "inception/preprocessing_recipe.h"

namespace blastscan {

static_assert(std::endian::native == std::endian::little, "ONNX raw_data is little-endian");

namespace {

constexpr const char* kScope = "InceptionV3/";
// IR version 7 is what ONNX 1.8+ writes for opset 13; every current runtime reads it.
constexpr int64_t kIrVersion = 7;

// ---- small builders over the ONNX protobuf classes

void add_ints(onnx::NodeProto& node, const std::string& name, std::vector<int64_t> values) {
  auto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (auto v : values) a->add_ints(v);
}

void add_int(onnx::NodeProto& node, const std::string& name, int64_t value) {
  auto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(value);
}

onnx::NodeProto& add_node(onnx::GraphProto& graph, const std::string& op, const std::string& name,
                          std::vector<std::string> inputs, const std::string& output) {
  auto* node = graph.add_node();
  node->set_op_type(op);
  node->set_name(name);
  for (auto& in : inputs) node->add_input(in);
  node->add_output(output);
  return *node;
}

void add_initializer(onnx::GraphProto& graph, const std::string& name, const Shape& dims, const std::vector<float>& values) {
  auto* t = graph.add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  for (auto d : dims) t->add_dims(d);
  t->set_raw_data(std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float)));
}

// HWIO [KH,KW,IC,OC] -> OIHW [OC,IC,KH,KW].
std::vector<float> hwio_to_oihw(const Tensor& w) {
  const int64_t KH = w.dim(0), KW = w.dim(1), IC = w.dim(2), OC = w.dim(3);
  std::vector<float> dst(w.data.size());
  for (int64_t kh = 0; kh < KH; ++kh)
    for (int64_t kw = 0; kw < KW; ++kw)
      for (int64_t ic = 0; ic < IC; ++ic)
        for (int64_t oc = 0; oc < OC; ++oc)
          dst[((oc * IC + ic) * KH + kh) * KW + kw] = w.data[((kh * KW + kw) * IC + ic) * OC + oc];
  return dst;
}

void add_value_info(onnx::ValueInfoProto& v, const std::string& name, std::vector<std::variant<std::string, int64_t>> dims) {
  v.set_name(name);
  auto* type = v.mutable_type()->mutable_tensor_type();
  type->set_elem_type(onnx::TensorProto::FLOAT);
  for (auto& d : dims) {
    auto* dim = type->mutable_shape()->add_dim();
    if (std::holds_alternative<std::string>(d))
      dim->set_dim_param(std::get<std::string>(d));
    else
      dim->set_dim_value(std::get<int64_t>(d));
  }
}

// ONNX pads for one layer: [top, left, bottom, right], TF "SAME" putting the extra pixel
// bottom/right.
std::vector<int64_t> onnx_pads(const Layer& layer, const LayerShape& in) {
  if (layer.padding == Padding::Valid) return {0, 0, 0, 0};
  int top, bottom, left, right;
  same_padding(in.H, layer.KH, layer.SH, top, bottom);
  same_padding(in.W, layer.KW, layer.SW, left, right);
  return {top, left, bottom, right};
}

// An ONNX value and its NHWC shape.
struct Value {
  std::string tensor;
  LayerShape shape;
};

// ---- the graph

// Appends the backbone's nodes; returns the end point's value.
Value add_backbone(onnx::GraphProto& graph, const Model& model, const Value& input, int image_size) {
  const std::vector<Layer> layers = inception_v3_layers(model.endpoint);
  const std::vector<LayerShape> shapes = infer_shapes(layers, image_size);
  std::map<std::string, Value> values{{"input", input}};
  for (size_t i = 0; i < layers.size(); ++i) {
    const Layer& layer = layers[i];
    const std::string scope = kScope + layer.name;
    const Value& in = values.at(layer.inputs.front());
    Value out{scope, shapes[i]};
    switch (layer.kind) {
      case LayerKind::Conv: {
        auto it = model.convs.find(layer.name);
        if (it == model.convs.end()) throw Error("ONNX export: model has no weights for conv '" + layer.name + "'");
        const ConvWeights& cw = it->second;
        const Shape expected{layer.KH, layer.KW, in.shape.C, layer.OC};
        if (cw.weights.shape != expected || cw.bias.shape != Shape{layer.OC})
          throw Error("ONNX export: conv '" + layer.name + "': weights " + to_string(cw.weights.shape) + ", expected " +
                      to_string(expected));
        add_initializer(graph, scope + "/weights", {layer.OC, in.shape.C, layer.KH, layer.KW}, hwio_to_oihw(cw.weights));
        add_initializer(graph, scope + "/biases", {layer.OC}, cw.bias.data);
        auto& conv = add_node(graph, "Conv", scope + "/Conv2D", {in.tensor, scope + "/weights", scope + "/biases"},
                              scope + "/BiasAdd");
        add_ints(conv, "kernel_shape", {layer.KH, layer.KW});
        add_ints(conv, "strides", {layer.SH, layer.SW});
        add_ints(conv, "pads", onnx_pads(layer, in.shape));
        out.tensor = scope + "/Relu";
        add_node(graph, "Relu", out.tensor, {scope + "/BiasAdd"}, out.tensor);
        break;
      }
      case LayerKind::MaxPool:
      case LayerKind::AvgPool: {
        const bool max = layer.kind == LayerKind::MaxPool;
        auto& pool = add_node(graph, max ? "MaxPool" : "AveragePool", scope, {in.tensor}, scope);
        add_ints(pool, "kernel_shape", {layer.KH, layer.KW});
        add_ints(pool, "strides", {layer.SH, layer.SW});
        add_ints(pool, "pads", onnx_pads(layer, in.shape));
        if (!max) add_int(pool, "count_include_pad", 0);  // TF's SAME average excludes the padding
        break;
      }
      case LayerKind::Concat: {
        std::vector<std::string> inputs;
        for (auto& name : layer.inputs) inputs.push_back(values.at(name).tensor);
        add_int(add_node(graph, "Concat", scope, inputs, scope), "axis", 1);  // channels in NCHW
        break;
      }
    }
    values[layer.name] = out;
  }
  return values.at(layers.back().name);
}

// Logits/AvgPool_1a_8x8 (global average) -> Conv2d_1c_1x1 -> SpatialSqueeze -> Softmax.
// Returns the graph's output name.
std::string add_head(onnx::GraphProto& graph, const Model& model, const Value& endpoint) {
  const std::string pool = std::string(kScope) + "Logits/AvgPool_1a_8x8";
  add_node(graph, "GlobalAveragePool", pool, {endpoint.tensor}, pool);
  if (!model.head) return pool;

  const Head& head = *model.head;
  const int64_t K = head.num_classes();
  const Shape expected{1, 1, endpoint.shape.C, K};
  if (head.weights.shape != expected)
    throw Error("ONNX export: head weights " + to_string(head.weights.shape) + ", expected " + to_string(expected));
  const std::string logits = std::string(kScope) + "Logits/Conv2d_1c_1x1";
  add_initializer(graph, logits + "/weights", {K, endpoint.shape.C, 1, 1}, hwio_to_oihw(head.weights));
  add_initializer(graph, logits + "/biases", {K}, head.biases.data);
  auto& conv = add_node(graph, "Conv", logits + "/Conv2D", {pool, logits + "/weights", logits + "/biases"},
                        logits + "/BiasAdd");
  add_ints(conv, "kernel_shape", {1, 1});  // optional in ONNX, required by OpenCV
  const std::string squeeze = std::string(kScope) + "Logits/SpatialSqueeze";
  add_int(add_node(graph, "Flatten", squeeze, {logits + "/BiasAdd"}, squeeze), "axis", 1);
  const std::string softmax = std::string(kScope) + "Predictions/Softmax";
  add_int(add_node(graph, "Softmax", softmax, {squeeze}, softmax), "axis", 1);
  return softmax;
}

void add_metadata(onnx::ModelProto& proto, const Model& model, int image_size) {
  // The preprocessing, stated so that users of other runtimes can reproduce it: the recipe's
  // numbers, and the step that numbers cannot say (gray's equalisation) in words.
  const PreprocessingRecipe& recipe = preprocessing_recipe(model.preprocessing);
  const std::string words = describe_preprocessing(recipe, image_size);
  const std::string mean = fmt::format("{0},{0},{0}", recipe.mean);
  const std::vector<std::pair<std::string, std::string>> entries = {
      {"classes", json_text(nlohmann::json(model.classes))},
      {"positive_classes", json_text(nlohmann::json(model.positive))},
      {"endpoint", model.endpoint},
      {"input_layout", "NHWC"},
      {"color_order", "RGB"},
      {"preprocessing", model.preprocessing},
      {"preprocessing_description", words},
      {"mean_values", mean},
      {"scale_values", fmt::format("{}", recipe.scale)},
      {"central_crop_fraction", fmt::format("{}", recipe.central_crop)},
      // "true": mean, scale and crop are the whole preprocessing; "false": do this step first
      {"preprocessing_by_numbers", recipe.outside_step.empty() ? "true" : "false"},
      {"preprocessing_step_before", recipe.outside_step.empty() ? "none" : std::string(recipe.outside_step)},
  };
  for (auto& [key, value] : entries) {
    auto* p = proto.add_metadata_props();
    p->set_key(key);
    p->set_value(value);
  }
}

}  // namespace

std::vector<uint8_t> serialize_onnx(const Model& model, int image_size) {
  onnx::ModelProto proto;
  proto.set_ir_version(kIrVersion);
  proto.set_producer_name("blastscan");
  proto.set_doc_string("Inception V3 (TF-Slim) up to " + model.endpoint +
                       (model.head ? ", with a " + std::to_string(model.head->num_classes()) + "-class head" : "") +
                       ". Input NHWC float [-1,1]; see metadata_props for the preprocessing" +
                       (preprocessing_recipe(model.preprocessing).outside_step.empty()
                            ? std::string(".")
                            : "; " + std::string(preprocessing_recipe(model.preprocessing).outside_step) + "."));
  auto* opset = proto.add_opset_import();
  opset->set_domain("");
  opset->set_version(kOnnxOpset);
  add_metadata(proto, model, image_size);

  onnx::GraphProto& graph = *proto.mutable_graph();
  graph.set_name("InceptionV3");
  add_value_info(*graph.add_input(), "input", {std::string("N"), int64_t(image_size), int64_t(image_size), int64_t(3)});
  const std::string nchw = std::string(kScope) + "input_nchw";
  add_ints(add_node(graph, "Transpose", nchw, {"input"}, nchw), "perm", {0, 3, 1, 2});

  const Value endpoint = add_backbone(graph, model, {nchw, {image_size, image_size, 3}}, image_size);
  const std::string output = add_head(graph, model, endpoint);
  if (model.head)
    add_value_info(*graph.add_output(), output, {std::string("N"), int64_t(model.head->num_classes())});
  else
    add_value_info(*graph.add_output(), output, {std::string("N"), int64_t(endpoint.shape.C), int64_t(1), int64_t(1)});

  std::string bytes;
  if (!proto.SerializeToString(&bytes)) throw Error("ONNX export: the model does not fit in one protobuf (2 GB)");
  return {bytes.begin(), bytes.end()};
}

void save_onnx(const Model& model, const std::filesystem::path& path, int image_size) {
  write_file_atomic(path, serialize_onnx(model, image_size));
}

}  // namespace blastscan
