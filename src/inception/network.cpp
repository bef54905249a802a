// Compiles the topology table into a list of oneDNN primitives with fixed argument maps
// (set up once, run many times). Activations use one blocked layout (nChw16c on AVX-512,
// nChw8c otherwise) for a single image; a batch runs image by image through the same
// primitives. That per-image shape is what makes concatenation free: in a blocked layout a
// channel slice of one image is one contiguous run of memory, so every branch's last conv or
// pool writes straight into its slice of the block's output (oneDNN 2.6 runs strided
// sub-memory outputs only on its slow reference kernels). It also means a short last batch
// costs nothing extra.
#include "inception/network.h"

#include <omp.h>

#include <fstream>
#include <map>

#include "base/error.h"
#include "inception/inception_v3.h"
#include "nn/conv2d.h"
#include "nn/head_layers.h"
#include "nn/pool2d.h"

namespace blastscan {

namespace {

using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

struct Step {
  dnnl::primitive primitive;
  std::unordered_map<int, dnnl::memory> args;
};

// Where a layer's output lives: in its own buffer, or as a channel slice of a concat's.
struct Placement {
  std::string owner;
  int channel_offset = 0;
};

// ISA values are bit sets (avx2_vnni > avx512_core numerically), so test the bits.
int activation_block() {
  const auto isa = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
  const auto avx512 = static_cast<unsigned>(dnnl::cpu_isa::avx512_core);
  return (isa & avx512) == avx512 ? 16 : 8;
}

tag activation_tag(int block) { return block == 16 ? tag::nChw16c : tag::nChw8c; }

// Concat inputs are placed inside their concat's buffer (recursively, for Mixed_7b's nested
// concats). Walk backwards so a concat's own placement is known before its inputs'.
std::map<std::string, Placement> place_layers(const std::vector<Layer>& layers,
                                              const std::vector<LayerShape>& shapes, int block) {
  std::map<std::string, Placement> placement;
  std::map<std::string, int> consumers;
  std::map<std::string, int> channels;
  for (size_t i = 0; i < layers.size(); ++i) {
    channels[layers[i].name] = shapes[i].C;
    for (const auto& in : layers[i].inputs) ++consumers[in];
  }
  for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
    if (!placement.count(it->name)) placement[it->name] = {it->name, 0};
    if (it->kind != LayerKind::Concat) continue;
    const Placement here = placement[it->name];
    int offset = here.channel_offset;
    for (const auto& in : it->inputs) {
      if (consumers[in] != 1 || offset % block != 0)
        throw Error("network: cannot place '" + in + "' inside concat '" + it->name + "'");
      placement[in] = {here.owner, offset};
      offset += channels[in];
    }
  }
  return placement;
}

void tf_padding(const Layer& layer, int IH, int IW, int& PH_L, int& PH_R, int& PW_L, int& PW_R) {
  PH_L = PH_R = PW_L = PW_R = 0;
  if (layer.padding != Padding::Same) return;
  same_padding(IH, layer.KH, layer.SH, PH_L, PH_R);
  same_padding(IW, layer.KW, layer.SW, PW_L, PW_R);
}

}  // namespace

struct Network::Impl {
  NetworkOptions options;
  std::string endpoint;
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  std::vector<Step> steps;
  dnnl::memory input;     // one user image, NHWC; its handle moves along the batch
  dnnl::memory features;  // [1,C,1,1] plain; its handle moves along the output rows
  dnnl::memory endpoint_activations;  // [1,C,H,W] as NHWC, with keep_endpoint; its handle moves along the images
  LayerShape endpoint_shape;
  std::optional<Head> head;
  int feature_dim = 0;
  double flops = 0;

  Impl(const Model& model, NetworkOptions opts) : options(opts), endpoint(model.endpoint), head(model.head) {
    if (options.batch < 1) throw InputError("network: batch must be >= 1");
    // oneDNN plans each primitive's work split for the thread count in force when it is created.
    omp_set_num_threads(options.threads > 0 ? options.threads : default_thread_count());
    const auto layers = inception_v3_layers(model.endpoint);
    const auto shapes = infer_shapes(layers, options.image_size);
    const int block = activation_block();
    const auto placement = place_layers(layers, shapes, block);
    const int S = options.image_size;

    std::map<std::string, LayerShape> shape_of{{"input", {S, S, 3}}};
    std::map<std::string, dnnl::memory> memory_of;
    input = dnnl::memory({{1, 3, S, S}, dt::f32, tag::nhwc}, engine, DNNL_MEMORY_NONE);
    memory_of["input"] = input;

    const auto act_desc = [&](const LayerShape& s) {
      return dnnl::memory::desc({1, s.C, s.H, s.W}, dt::f32, activation_tag(block));
    };
    // Owners allocate; slices point into their owner's buffer (N=1: channel c starts at c*H*W).
    for (size_t i = 0; i < layers.size(); ++i) {
      const auto& p = placement.at(layers[i].name);
      if (p.owner == layers[i].name) memory_of[layers[i].name] = dnnl::memory(act_desc(shapes[i]), engine);
    }
    for (size_t i = 0; i < layers.size(); ++i) {
      const auto& p = placement.at(layers[i].name);
      shape_of[layers[i].name] = shapes[i];
      if (p.owner == layers[i].name) continue;
      auto* base = static_cast<float*>(memory_of.at(p.owner).get_data_handle());
      memory_of[layers[i].name] =
          dnnl::memory(act_desc(shapes[i]), engine, base + int64_t(p.channel_offset) * shapes[i].H * shapes[i].W);
    }

    for (size_t i = 0; i < layers.size(); ++i) {
      const Layer& layer = layers[i];
      if (layer.kind == LayerKind::Concat) continue;  // its inputs already wrote into it
      const LayerShape in = shape_of.at(layer.inputs[0]);
      const LayerShape out = shapes[i];
      dnnl::memory src = memory_of.at(layer.inputs[0]);
      const dnnl::memory& dst = memory_of.at(layer.name);
      int PH_L, PH_R, PW_L, PW_R;
      tf_padding(layer, in.H, in.W, PH_L, PH_R, PW_L, PW_R);
      if (layer.kind == LayerKind::Conv) {
        const auto& w = model.convs.at(layer.name);
        const bool first = layer.inputs[0] == "input";
        const auto src_desc = first ? dnnl::memory::desc({1, 3, in.H, in.W}, dt::f32, tag::any) : src.get_desc();
        Conv2d conv(engine, src_desc, dst.get_desc(), w.weights, w.bias,
                    {layer.SH, layer.SW, PH_L, PH_R, PW_L, PW_R, true});
        if (first && conv.src_desc() != src.get_desc()) {  // the image into the first conv's layout
          dnnl::memory converted(conv.src_desc(), engine);
          steps.push_back({dnnl::reorder(src, converted), {{DNNL_ARG_FROM, src}, {DNNL_ARG_TO, converted}}});
          src = converted;
        }
        steps.push_back({conv.primitive(), conv.args(src, dst)});
        flops += 2.0 * out.H * out.W * out.C * layer.KH * layer.KW * in.C;
      } else {
        const auto kind = layer.kind == LayerKind::MaxPool ? PoolKind::Max : PoolKind::Average;
        Pool2d pool(engine, src.get_desc(), dst.get_desc(),
                    {kind, layer.KH, layer.KW, layer.SH, layer.SW, PH_L, PH_R, PW_L, PW_R});
        steps.push_back({pool.primitive(), pool.args(src, dst)});
      }
    }

    // Logits/AvgPool_1a_8x8: the global average of the end point, straight into plain rows.
    const LayerShape last = shapes.back();
    feature_dim = last.C;
    features = dnnl::memory({{1, last.C, 1, 1}, dt::f32, tag::nchw}, engine, DNNL_MEMORY_NONE);
    const auto& endpoint_memory = memory_of.at(layers.back().name);
    Pool2d gap(engine, endpoint_memory.get_desc(), features.get_desc(),
               {PoolKind::Average, last.H, last.W, 1, 1, 0, 0, 0, 0});
    steps.push_back({gap.primitive(), gap.args(endpoint_memory, features)});
    if (options.keep_endpoint) {  // the blocked end point reordered into plain HWC rows
      endpoint_shape = last;
      endpoint_activations = dnnl::memory({{1, last.C, last.H, last.W}, dt::f32, tag::nhwc}, engine, DNNL_MEMORY_NONE);
      steps.push_back({dnnl::reorder(endpoint_memory, endpoint_activations),
                       {{DNNL_ARG_FROM, endpoint_memory}, {DNNL_ARG_TO, endpoint_activations}}});
    }
    if (head) {
      if (head->weights.dim(2) != feature_dim)
        throw InputError("network: head expects " + std::to_string(head->weights.dim(2)) + " features, " +
                         endpoint + " gives " + std::to_string(feature_dim));
      flops += 2.0 * feature_dim * head->num_classes();
    }
  }

  NetworkOutput run(const float* images, int n) {
    if (n < 1 || n > options.batch)
      throw Error("network: run() got " + std::to_string(n) + " images, batch is " + std::to_string(options.batch));
    // OpenMP's thread count is per calling thread, so set it on whichever thread runs us.
    omp_set_num_threads(options.threads > 0 ? options.threads : default_thread_count());
    const int64_t image_floats = int64_t(options.image_size) * options.image_size * 3;
    NetworkOutput out;
    out.features = Tensor({n, feature_dim});
    const LayerShape& e = endpoint_shape;
    if (options.keep_endpoint) out.endpoint = Tensor({n, e.H, e.W, e.C});
    for (int i = 0; i < n; ++i) {
      input.set_data_handle(const_cast<float*>(images + i * image_floats));
      features.set_data_handle(out.features.ptr() + int64_t(i) * feature_dim);
      if (options.keep_endpoint) endpoint_activations.set_data_handle(out.endpoint.ptr() + int64_t(i) * e.H * e.W * e.C);
      for (auto& step : steps) step.primitive.execute(stream, step.args);
      stream.wait();
    }
    if (head) {
      const int K = head->num_classes();
      Tensor logits({n, K});
      dense_forward(logits.ptr(), out.features.ptr(), head->weights.ptr(), head->biases.ptr(), n, feature_dim, K);
      out.probabilities = Tensor({n, K});
      softmax_forward(out.probabilities.ptr(), logits.ptr(), n, K);
    }
    return out;
  }
};

Network::Network(const Model& model, NetworkOptions options) : impl_(std::make_unique<Impl>(model, options)) {}
Network::~Network() = default;
Network::Network(Network&&) noexcept = default;
Network& Network::operator=(Network&&) noexcept = default;

NetworkOutput Network::run(const float* input, int n) { return impl_->run(input, n); }
int Network::batch() const { return impl_->options.batch; }
int Network::feature_dim() const { return impl_->feature_dim; }
double Network::flops_per_image() const { return impl_->flops; }

int default_thread_count() { return omp_get_num_procs(); }

std::string cpu_isa_description() {
  static const std::map<dnnl::cpu_isa, std::string> names = {
      {dnnl::cpu_isa::sse41, "sse41"},
      {dnnl::cpu_isa::avx, "avx"},
      {dnnl::cpu_isa::avx2, "avx2"},
      {dnnl::cpu_isa::avx512_core, "avx512_core"},
      {dnnl::cpu_isa::avx512_core_vnni, "avx512_core_vnni"},
      {dnnl::cpu_isa::avx512_core_bf16, "avx512_core_bf16"},
      {dnnl::cpu_isa::avx512_core_amx, "avx512_core_amx"},
      {dnnl::cpu_isa::avx2_vnni, "avx2_vnni"},
  };
  const auto it = names.find(dnnl::get_effective_cpu_isa());
  std::string s = "oneDNN " + (it != names.end() ? it->second : "isa#" + std::to_string(int(dnnl::get_effective_cpu_isa())));
  // The instruction sets that matter for fp32/bf16/int8, from the kernel's view of the CPU.
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos) s = line.substr(line.find(':') + 2) + ", " + s;
    if (line.rfind("flags", 0) != 0) continue;
    s += "; CPU:";
    for (const char* flag : {" avx2", " fma", " avx512f", " avx512_vnni", " avx512_bf16", " amx_bf16", " amx_int8"})
      if (line.find(std::string(flag) + " ") != std::string::npos) s += flag;
    break;
  }
  return s;
}

}  // namespace blastscan
