#include "inception/trainable_stack.h"

#include <omp.h>

#include <algorithm>
#include <map>
#include <span>

#include "base/error.h"
#include "nn/cpu.h"
#include "nn/trainable_concat.h"
#include "nn/trainable_conv2d.h"
#include "nn/trainable_pool2d.h"

namespace blastscan {

namespace {

using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;
constexpr int kStackInput = -1;
// Every conv's weights start on a cache line: oneDNN's kernels read them aligned (unaligned,
// its forward and backward-weights ran ~5% slower).
constexpr size_t kAlignFloats = 16;

size_t aligned(size_t floats) { return (floats + kAlignFloats - 1) / kAlignFloats * kAlignFloats; }

int thread_count(int requested) { return requested > 0 ? requested : default_thread_count(); }

struct Node {
  Layer layer;
  LayerShape shape;
  std::vector<int> inputs;  // node indices; kStackInput is the stack's input
  std::vector<GradientWrite> input_writes;  // per input: assign for its first consumer in backward order
  dnnl::memory dst, diff_dst;
  std::unique_ptr<TrainableConv2d> conv;
  std::unique_ptr<TrainablePool2d> pool;
  std::unique_ptr<TrainableConcat> concat;
  size_t weights_offset = 0, bias_offset = 0;  // into the flat parameters, the stack's layout (convs only)
  size_t graph_weights_offset = 0, graph_bias_offset = 0;  // into the graph-order form
};

}  // namespace

std::vector<Layer> layers_above(const std::string& from, const std::string& final_endpoint) {
  auto layers = inception_v3_layers(final_endpoint);
  if (from == "input") return layers;
  const auto& endpoints = inception_v3_endpoints();
  const auto cut = std::find(endpoints.begin(), endpoints.end(), from);
  const auto top = std::find(endpoints.begin(), endpoints.end(), final_endpoint);
  if (cut == endpoints.end() || cut >= top)
    throw InputError("cut '" + from + "' is not an end point below " + final_endpoint);
  const size_t below = inception_v3_layers(from).size();
  layers.erase(layers.begin(), layers.begin() + ptrdiff_t(below));
  return layers;
}

struct TrainableStack::Impl {
  StackOptions options;
  std::string from;
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  std::vector<Node> nodes;
  LayerShape in_shape, out_shape;
  int n = 0;  // rows of the last forward

  // The stack's layout, in oneDNN's (aligned) allocations; params/grads view them.
  dnnl::memory params_memory, grads_memory;
  std::span<float> params, grads;
  size_t graph_size = 0;                            // floats of the graph-order form
  std::vector<float> input_nhwc;                    // [N,H,W,C], rows past n zero
  dnnl::memory input_user, input;                   // NHWC view; the layout the first layers read
  dnnl::reorder input_to_blocked;                   // NHWC -> the first layers' layout
  std::vector<float> features, diff_features;       // [N,C]
  dnnl::memory features_memory, diff_features_memory;
  std::unique_ptr<TrainablePool2d> global_pool;     // Logits/AvgPool_1a_8x8

  Impl(const Model& model, const std::string& from_endpoint, StackOptions opts) : options(opts), from(from_endpoint) {
    if (options.batch < 1) throw InputError("trainable stack: batch must be >= 1");
    omp_set_num_threads(thread_count(options.threads));  // oneDNN plans for the count in force
    const int N = options.batch, S = options.image_size;
    const auto all = inception_v3_layers(model.endpoint);
    const auto shapes = infer_shapes(all, S);
    std::map<std::string, LayerShape> shape_of{{"input", {S, S, 3}}};
    for (size_t i = 0; i < all.size(); ++i) shape_of[all[i].name] = shapes[i];
    // An end point is its last layer's output (Mixed_6e is "Mixed_6e/concat").
    const std::string from_layer = from == "input" ? from : inception_v3_layers(from).back().name;
    in_shape = shape_of.at(from_layer);
    const auto layers = layers_above(from, model.endpoint);
    out_shape = shape_of.at(layers.back().name);
    const tag blocked = blocked_activation_tag();
    const auto act = [&](const LayerShape& s, tag t) { return dnnl::memory::desc({N, s.C, s.H, s.W}, dt::f32, t); };

    input_nhwc.assign(size_t(N) * in_shape.H * in_shape.W * in_shape.C, 0.f);
    input_user = dnnl::memory(act(in_shape, tag::nhwc), engine, input_nhwc.data());
    // The image goes in planar: oneDNN's optimised first conv (3 input channels) reads nchw;
    // from nhwc it falls back to its reference kernel, 40x slower.
    input = dnnl::memory(act(in_shape, from == "input" ? tag::nchw : blocked), engine);
    input_to_blocked = dnnl::reorder(input_user, input);

    std::map<std::string, int> index_of;
    size_t layout_size = 0;
    for (const Layer& layer : layers) {
      Node node{layer, shape_of.at(layer.name), {}, {}, {}, {}, {}, {}, {}, 0, 0};
      for (const auto& in : layer.inputs) node.inputs.push_back(in == from_layer ? kStackInput : index_of.at(in));
      node.dst = dnnl::memory(act(node.shape, blocked), engine);
      if (options.backward) node.diff_dst = dnnl::memory(node.dst.get_desc(), engine);
      const auto src_of = [&](int i) { return i == kStackInput ? input.get_desc() : nodes[size_t(i)].dst.get_desc(); };
      const LayerShape in = node.inputs[0] == kStackInput ? in_shape : nodes[size_t(node.inputs[0])].shape;
      int PH_L = 0, PH_R = 0, PW_L = 0, PW_R = 0;
      if (layer.padding == Padding::Same) {
        same_padding(in.H, layer.KH, layer.SH, PH_L, PH_R);
        same_padding(in.W, layer.KW, layer.SW, PW_L, PW_R);
      }
      if (layer.kind == LayerKind::Conv) {
        node.conv = std::make_unique<TrainableConv2d>(engine, src_of(node.inputs[0]), node.dst.get_desc(), layer.KH,
                                                      layer.KW,
                                                      Conv2dParams{.SH = layer.SH, .SW = layer.SW, .PH_L = PH_L, .PH_R = PH_R,
                                                                   .PW_L = PW_L, .PW_R = PW_R, .relu = true},
                                                      options.backward);
        const auto it = model.convs.find(layer.name);
        if (it == model.convs.end()) throw InputError("trainable stack: no weights for " + layer.name);
        const int64_t weight_count = int64_t(layer.KH) * layer.KW * in.C * layer.OC;
        if (it->second.weights.size() != weight_count || it->second.bias.size() != layer.OC)
          throw InputError("trainable stack: " + layer.name + " has weights " + to_string(it->second.weights.shape) +
                           ", expected [" + std::to_string(layer.KH) + "," + std::to_string(layer.KW) + "," +
                           std::to_string(in.C) + "," + std::to_string(layer.OC) + "]");
        node.weights_offset = layout_size;
        node.bias_offset = layout_size += aligned(node.conv->weights_layout_size());
        layout_size += aligned(size_t(layer.OC));
        node.graph_weights_offset = graph_size;
        node.graph_bias_offset = graph_size + size_t(weight_count);
        graph_size += size_t(weight_count) + size_t(layer.OC);
      } else if (layer.kind == LayerKind::Concat) {
        std::vector<dnnl::memory::desc> srcs;
        for (int i : node.inputs) srcs.push_back(src_of(i));
        node.concat = std::make_unique<TrainableConcat>(engine, srcs, node.dst.get_desc());
      } else {
        const auto kind = layer.kind == LayerKind::MaxPool ? PoolKind::Max : PoolKind::Average;
        node.pool = std::make_unique<TrainablePool2d>(
            engine, src_of(node.inputs[0]), node.dst.get_desc(),
            Pool2dParams{.kind = kind, .KH = layer.KH, .KW = layer.KW, .SH = layer.SH, .SW = layer.SW, .PH_L = PH_L,
                         .PH_R = PH_R, .PW_L = PW_L, .PW_R = PW_R},
            options.backward);
      }
      index_of[layer.name] = int(nodes.size());
      nodes.push_back(std::move(node));
    }
    order_gradient_writes();
    params = allocate(params_memory, layout_size);
    if (options.backward) grads = allocate(grads_memory, layout_size);
    std::vector<float> initial;  // the model's weights in graph order
    for (const Node& node : nodes) {
      if (!node.conv) continue;
      const ConvWeights& w = model.convs.at(node.layer.name);
      initial.insert(initial.end(), w.weights.data.begin(), w.weights.data.end());
      initial.insert(initial.end(), w.bias.data.begin(), w.bias.data.end());
    }
    write_layout(initial, params);
    for (Node& node : nodes)
      if (node.conv)
        node.conv->bind({params.data() + node.weights_offset, params.data() + node.bias_offset,
                         options.backward ? grads.data() + node.weights_offset : nullptr,
                         options.backward ? grads.data() + node.bias_offset : nullptr});

    const int C = out_shape.C;
    features.assign(size_t(N) * C, 0.f);
    diff_features.assign(size_t(N) * C, 0.f);
    // [N,C,1,1] blocked is [N,C] plain when C is a multiple of the block (all Inception end
    // points are), and keeps the global pool on its optimised kernel (to nchw it is ref).
    const dnnl::memory::desc rows({N, C, 1, 1}, dt::f32, C % channel_block() == 0 ? blocked : tag::nchw);
    features_memory = dnnl::memory(rows, engine, features.data());
    diff_features_memory = dnnl::memory(rows, engine, diff_features.data());
    global_pool = std::make_unique<TrainablePool2d>(
        engine, nodes.back().dst.get_desc(), rows,
        Pool2dParams{.kind = PoolKind::Average, .KH = out_shape.H, .KW = out_shape.W, .SH = 1, .SW = 1}, options.backward);
    parameters_changed();
  }

  // Backward runs the global pool, then the nodes in reverse: the first of a node's consumers
  // in that order assigns its gradient and the later ones add, so no gradient is zeroed first.
  // Every node has a consumer (the last one the global pool), so each is written every step.
  void order_gradient_writes() {
    std::vector<bool> written(nodes.size(), false);
    written.back() = true;  // by the global pool
    for (auto it = nodes.rbegin(); it != nodes.rend(); ++it)
      for (int i : it->inputs) {
        const bool first = i != kStackInput && !written[size_t(i)];
        it->input_writes.push_back(first ? GradientWrite::assign : GradientWrite::add);
        if (i != kStackInput) written[size_t(i)] = true;
      }
  }

  // Zeroed: the alignment gaps are never written, but the optimiser reads them.
  std::span<float> allocate(dnnl::memory& memory, size_t floats) {
    memory = dnnl::memory({{int64_t(std::max<size_t>(floats, 1))}, dt::f32, tag::x}, engine);
    const std::span<float> view(static_cast<float*>(memory.get_data_handle()), floats);
    std::fill(view.begin(), view.end(), 0.f);
    return view;
  }

  void parameters_changed() {
    for (Node& node : nodes)
      if (node.conv) node.conv->weights_changed(stream);
    stream.wait();
  }

  std::vector<float> to_graph_order(std::span<const float> layout) {
    if (layout.size() != params.size()) throw Error("trainable stack: not a vector in the stack's layout");
    std::vector<float> graph(graph_size);
    for (const Node& node : nodes) {
      if (!node.conv) continue;
      node.conv->to_hwio(stream, layout.data() + node.weights_offset, graph.data() + node.graph_weights_offset);
      std::copy_n(layout.begin() + ptrdiff_t(node.bias_offset), node.conv->OC(),
                  graph.begin() + ptrdiff_t(node.graph_bias_offset));
    }
    return graph;
  }

  // The alignment gaps of `layout` are left as they are.
  void write_layout(const std::vector<float>& graph, std::span<float> layout) {
    if (graph.size() != graph_size) throw Error("trainable stack: not a vector in graph order");
    for (const Node& node : nodes) {
      if (!node.conv) continue;
      node.conv->from_hwio(stream, graph.data() + node.graph_weights_offset, layout.data() + node.weights_offset);
      std::copy_n(graph.begin() + ptrdiff_t(node.graph_bias_offset), node.conv->OC(),
                  layout.begin() + ptrdiff_t(node.bias_offset));
    }
  }

  const dnnl::memory& src_memory(int i) const { return i == kStackInput ? input : nodes[size_t(i)].dst; }

  // ---- forward

  void forward(const float* in, int rows, float* out) {
    if (rows < 1 || rows > options.batch)
      throw Error("trainable stack: forward got " + std::to_string(rows) + " rows, batch is " +
                  std::to_string(options.batch));
    omp_set_num_threads(thread_count(options.threads));  // per calling thread
    n = rows;
    const size_t row_floats = size_t(in_shape.H) * in_shape.W * in_shape.C;
    std::copy(in, in + size_t(n) * row_floats, input_nhwc.begin());
    std::fill(input_nhwc.begin() + ptrdiff_t(size_t(n) * row_floats), input_nhwc.end(), 0.f);
    input_to_blocked.execute(stream, input_user, input);
    for (Node& node : nodes) {
      if (node.conv) node.conv->forward(stream, src_memory(node.inputs[0]), node.dst);
      else if (node.pool) node.pool->forward(stream, src_memory(node.inputs[0]), node.dst);
      else {
        std::vector<dnnl::memory> srcs;
        for (int i : node.inputs) srcs.push_back(src_memory(i));
        node.concat->forward(stream, srcs, node.dst);
      }
    }
    global_pool->forward(stream, nodes.back().dst, features_memory);
    stream.wait();
    std::copy_n(features.begin(), size_t(n) * size_t(out_shape.C), out);
  }

  // ---- backward

  void backward(const float* diff_out) {
    if (!options.backward) throw Error("trainable stack: built forward only");
    omp_set_num_threads(thread_count(options.threads));
    const size_t C = size_t(out_shape.C);
    std::copy_n(diff_out, size_t(n) * C, diff_features.begin());
    std::fill(diff_features.begin() + ptrdiff_t(size_t(n) * C), diff_features.end(), 0.f);  // padded rows
    global_pool->backward(stream, diff_features_memory, nodes.back().diff_dst, GradientWrite::assign);
    for (auto it = nodes.rbegin(); it != nodes.rend(); ++it) {
      Node& node = *it;
      const int src = node.inputs[0];
      if (node.conv) {
        node.conv->backward(stream, node.diff_dst, src == kStackInput ? nullptr : &nodes[size_t(src)].diff_dst,
                            node.input_writes[0]);
      } else if (node.pool) {
        if (src != kStackInput)
          node.pool->backward(stream, node.diff_dst, nodes[size_t(src)].diff_dst, node.input_writes[0]);
      } else {
        std::vector<dnnl::memory> diff_srcs;
        for (int i : node.inputs) diff_srcs.push_back(nodes[size_t(i)].diff_dst);
        node.concat->backward(stream, node.diff_dst, diff_srcs, node.input_writes);
      }
    }
    stream.wait();
  }

  void output_activation(float* nhwc) {
    Node& last = nodes.back();
    std::vector<float> all(size_t(options.batch) * out_shape.H * out_shape.W * out_shape.C);
    dnnl::memory user({{options.batch, out_shape.C, out_shape.H, out_shape.W}, dt::f32, tag::nhwc}, engine, all.data());
    dnnl::reorder(last.dst, user).execute(stream, last.dst, user);
    stream.wait();
    std::copy_n(all.begin(), size_t(n) * out_shape.H * out_shape.W * out_shape.C, nhwc);
  }

  void store_parameters(Model& model) {
    const std::vector<float> graph = to_graph_order(params);
    for (const Node& node : nodes) {
      if (!node.conv) continue;
      const LayerShape in = node.inputs[0] == kStackInput ? in_shape : nodes[size_t(node.inputs[0])].shape;
      const Layer& l = node.layer;
      const auto w = graph.begin() + ptrdiff_t(node.graph_weights_offset),
                 b = graph.begin() + ptrdiff_t(node.graph_bias_offset);
      model.convs[l.name] = {Tensor({l.KH, l.KW, in.C, l.OC}, std::vector<float>(w, b)),
                             Tensor({l.OC}, std::vector<float>(b, b + l.OC))};
    }
  }
};

TrainableStack::TrainableStack(const Model& model, const std::string& from, StackOptions options)
    : impl_(std::make_unique<Impl>(model, from, options)) {}
TrainableStack::~TrainableStack() = default;
TrainableStack::TrainableStack(TrainableStack&&) noexcept = default;
TrainableStack& TrainableStack::operator=(TrainableStack&&) noexcept = default;

int TrainableStack::batch() const { return impl_->options.batch; }
LayerShape TrainableStack::input_shape() const { return impl_->in_shape; }
LayerShape TrainableStack::output_shape() const { return impl_->out_shape; }
std::vector<TrainableStack::ConvSlot> TrainableStack::conv_slots() const {
  std::vector<ConvSlot> slots;
  for (const Node& node : impl_->nodes)
    if (node.conv)
      slots.push_back({node.layer.name, node.graph_weights_offset, size_t(node.conv->weight_count()),
                       node.graph_bias_offset, size_t(node.conv->OC())});
  return slots;
}
std::span<float> TrainableStack::parameters() { return impl_->params; }
std::span<const float> TrainableStack::parameters() const { return impl_->params; }
std::span<const float> TrainableStack::gradients() const { return impl_->grads; }
void TrainableStack::parameters_changed() { impl_->parameters_changed(); }
std::vector<float> TrainableStack::to_graph_order(std::span<const float> stack_layout) const {
  return impl_->to_graph_order(stack_layout);
}
std::vector<float> TrainableStack::from_graph_order(const std::vector<float>& graph_order) const {
  std::vector<float> layout(impl_->params.size(), 0.f);
  impl_->write_layout(graph_order, layout);
  return layout;
}
size_t TrainableStack::graph_order_size() const { return impl_->graph_size; }
void TrainableStack::load_graph_order(const std::vector<float>& parameters) {
  impl_->write_layout(parameters, impl_->params);
  impl_->parameters_changed();
}
void TrainableStack::forward(const float* input, int n, float* features) { impl_->forward(input, n, features); }
void TrainableStack::backward(const float* diff_features) { impl_->backward(diff_features); }
void TrainableStack::output_activation(float* nhwc) const { impl_->output_activation(nhwc); }
void TrainableStack::store_parameters(Model& model) const { impl_->store_parameters(model); }

}  // namespace blastscan
