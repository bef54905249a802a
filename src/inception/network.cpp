// Compiles the topology table into oneDNN primitives with fixed arguments (set up once, run
// many times) and runs them on one or several threads.
//
// Layout and concatenation. fp32 and bf16 activations use one blocked layout (nChw16c on
// AVX-512, nChw8c otherwise) for a single image; a batch runs image by image through the same
// primitives. In a blocked layout a channel slice of one image is one contiguous run of memory,
// so every branch's last conv or pool writes straight into its slice of the block's output and
// concatenation costs nothing (oneDNN 2.6 runs strided sub-memory outputs only on its slow
// reference kernels). oneDNN 2.6's fast int8 kernels (brgconv, jit_int pooling) take only nhwc,
// where a channel slice is strided, so int8 branches write their own buffers and a concat
// primitive copies them; they share the concat's scale, so the copy needs no requantisation.
//
// Threads. One image at a time (run() with n = 1): the stem's large layers are split over all
// threads by oneDNN, and each Inception block runs as lanes, one thread each, whose steps wait
// only for the steps they read (schedule.h plans them; a conv on a long branch may be split by
// output channels into parts on different lanes), each primitive compiled for one thread.
// Several images (n > 1): each image runs on its own thread through the one-thread primitives.
// Measured on the 2-core EPYC (family 26), full network, 2 threads, batch 1, quiet machine:
// 34.4-34.8 ms with one lane per FLOP-balanced group of whole branches, 30.6 ms planned as
// above (one thread: 58.7 ms); splitting every block primitive over both threads was slower
// still (246-324 against 205-263 ms for branch lanes, measured under load); the stem's 147x147
// and 71x71 convs split well and stay split.
//
// oneDNN 2.6's rules that make this safe (dnnl::scratchpad_mode and the primitive cache): every
// primitive here has a user-managed scratchpad, so it may run on any thread as long as no two
// concurrent runs share a scratchpad: each lane of each context has its own. A primitive plans
// its thread split for the OpenMP thread count in force when it is created (and the primitive
// cache keys on that count), so one-thread versions are created with omp_set_num_threads(1).
// One stream per lane; inside our OpenMP regions oneDNN's own parallel loops run inline.
#include "inception/network.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <thread>

#include "base/error.h"
#include "inception/activation_scales.h"
#include "inception/buffer_plan.h"
#include "inception/inception_v3.h"
#include "inception/schedule.h"
#include "nn/conv2d.h"
#include "nn/cpu.h"
#include "nn/head_layers.h"
#include "nn/pool2d.h"

namespace blastscan {

namespace {

using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

constexpr int kImage = -1, kFeatures = -2, kEndpoint = -3;  // slots bound to the caller's buffers

// Where a tensor lives in a context: a buffer (or the caller's image / feature row) and a byte
// offset into it (a channel slice of a concat's buffer).
struct Slot {
  int buffer = kImage;
  size_t offset = 0;
  dnnl::memory::desc desc;
};

// One primitive with its constant arguments (weights, bias); the tensors it reads and writes
// are slots, bound to memory per context.
struct Step {
  std::string layer, kind, endpoint;
  dnnl::primitive primitive;
  std::unordered_map<int, dnnl::memory> constants;
  std::vector<std::pair<int, Slot>> slots;  // DNNL_ARG_SRC / DNNL_ARG_MULTIPLE_SRC + i / DNNL_ARG_DST
  dnnl::memory::desc scratchpad;
  double flops = 0;
  const Slot& dst() const { return slots.back().second; }
};

// A stage of the one-image schedule (schedule.h): one lane (a step split over all threads) or
// several lanes that run concurrently, one thread each. Lanes hold indices into the step list;
// before its i-th step, lane l waits for the steps waits[l][i] of other lanes.
struct Stage {
  std::vector<std::vector<size_t>> lanes;
  std::vector<std::vector<std::vector<size_t>>> waits;
  std::vector<size_t> in_order;  // every step of the stage in an order that meets every wait
};

// Output channels [first, first + count) of a conv, for a part of it (count 0: all).
struct ChannelRange {
  int first = 0, count = 0;
};

// The HWIO weights and the bias of output channels `range` of a conv.
std::pair<Tensor, Tensor> channel_slice(const Tensor& weights_hwio, const Tensor& bias, ChannelRange range) {
  const int64_t OC = weights_hwio.dim(3), rows = int64_t(weights_hwio.size()) / OC;
  Tensor w({weights_hwio.dim(0), weights_hwio.dim(1), weights_hwio.dim(2), range.count}), b({range.count});
  for (int64_t r = 0; r < rows; ++r)
    std::copy_n(weights_hwio.ptr() + r * OC + range.first, range.count, w.ptr() + r * range.count);
  std::copy_n(bias.ptr() + range.first, range.count, b.ptr());
  return {std::move(w), std::move(b)};
}

// Concat inputs are placed inside their concat's buffer (recursively, for Mixed_7b's nested
// concats). Walk backwards so a concat's own placement is known before its inputs'.
struct Placement {
  std::string owner;
  int channel_offset = 0;
};
std::map<std::string, Placement> place_layers(const std::vector<Layer>& layers, const std::vector<LayerShape>& shapes,
                                              int block, bool in_place) {
  std::map<std::string, Placement> placement;
  std::map<std::string, int> consumers, channels;
  for (size_t i = 0; i < layers.size(); ++i) {
    channels[layers[i].name] = shapes[i].C;
    for (const auto& in : layers[i].inputs) ++consumers[in];
  }
  for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
    if (!placement.count(it->name)) placement[it->name] = {it->name, 0};
    if (it->kind != LayerKind::Concat || !in_place) continue;
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

// Sets the OpenMP thread count for a scope (primitives plan their split for it at creation).
class ScopedThreads {
 public:
  explicit ScopedThreads(int n) : previous_(omp_get_max_threads()) { omp_set_num_threads(n); }
  ~ScopedThreads() { omp_set_num_threads(previous_); }
  ScopedThreads(const ScopedThreads&) = delete;
  ScopedThreads& operator=(const ScopedThreads&) = delete;

 private:
  int previous_;
};

}  // namespace

// ---- compilation ------------------------------------------------------------------------

struct Network::Impl {
  // The memory one image in flight needs: activations, the caller's image and feature row
  // (their handles move along the batch), one scratchpad and stream per lane, and the bound
  // argument maps of the one-thread program (and, for context 0, of the one-image schedule).
  struct Context {
    std::vector<dnnl::memory> buffers;
    dnnl::memory image, features, endpoint;  // endpoint: with keep_endpoint
    std::vector<float> unwanted_endpoint;     // where it goes when the caller does not ask (calibration, profile)
    std::vector<dnnl::memory> scratchpads;
    std::vector<dnnl::stream> streams;
    // Per step: the run of the one-image schedule that last finished it (lanes wait on these).
    std::unique_ptr<std::atomic<uint64_t>[]> done;
    uint64_t runs = 0;
    std::vector<std::unordered_map<int, dnnl::memory>> single_args;  // per step of `single`
    std::vector<std::vector<std::vector<std::unordered_map<int, dnnl::memory>>>> stage_args;  // [stage][lane][i]
  };

  NetworkOptions options;
  Precision precision;
  int threads = 1;
  std::string endpoint;
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  std::vector<dnnl::memory::desc> buffer_descs;
  dnnl::memory::desc image_desc, features_desc, endpoint_desc;
  LayerShape endpoint_shape;
  std::vector<Step> steps;
  std::vector<size_t> single;  // every layer on one thread, graph order
  std::vector<Stage> stages;   // the one-image schedule (empty with one thread)
  std::vector<Context> contexts;
  std::optional<Head> head;
  int feature_dim = 0;
  double flops = 0;

  Impl(const Model& model, NetworkOptions opts) : options(opts), endpoint(model.endpoint), head(model.head) {
    if (options.batch < 1) throw InputError("network: batch must be >= 1");
    precision = precision_supported(options.precision) ? options.precision : Precision::f32;
    threads = options.threads > 0 ? options.threads : default_thread_count();
    compile(model);
    const size_t workers = size_t(std::min(threads, options.batch));
    size_t scratch = 0;
    for (const auto& s : steps) scratch = std::max(scratch, s.scratchpad.get_size());
    for (size_t c = 0; c < std::max<size_t>(workers, 1); ++c) {
      Context ctx;
      for (const auto& d : buffer_descs) ctx.buffers.emplace_back(d, engine);
      ctx.image = dnnl::memory(image_desc, engine, DNNL_MEMORY_NONE);
      ctx.features = dnnl::memory(features_desc, engine, DNNL_MEMORY_NONE);
      if (options.keep_endpoint) {
        ctx.endpoint = dnnl::memory(endpoint_desc, engine, DNNL_MEMORY_NONE);
        ctx.unwanted_endpoint.resize(endpoint_desc.get_size() / sizeof(float));
      }
      const size_t lanes = c == 0 ? size_t(threads) : 1;
      for (size_t l = 0; l < lanes; ++l) {
        ctx.scratchpads.emplace_back(dnnl::memory::desc({dnnl::memory::dim(std::max<size_t>(scratch, 1))}, dt::u8, tag::x), engine);
        ctx.streams.emplace_back(engine);
      }
      for (size_t i = 0; i < steps.size(); ++i) ctx.single_args.push_back(bind(ctx, steps[i], 0));
      ctx.done = std::make_unique<std::atomic<uint64_t>[]>(steps.size());
      if (c == 0)
        for (const auto& stage : stages) {
          auto& bound = ctx.stage_args.emplace_back();
          for (size_t l = 0; l < stage.lanes.size(); ++l) {
            auto& lane = bound.emplace_back();
            for (size_t i : stage.lanes[l]) lane.push_back(bind(ctx, steps[i], l));
          }
        }
      contexts.push_back(std::move(ctx));
    }
  }

  dnnl::memory slot_memory(Context& ctx, const Slot& slot) {
    if (slot.buffer == kImage) return ctx.image;
    if (slot.buffer == kFeatures) return ctx.features;
    if (slot.buffer == kEndpoint) return ctx.endpoint;
    auto* base = static_cast<char*>(ctx.buffers[size_t(slot.buffer)].get_data_handle());
    return dnnl::memory(slot.desc, engine, base + slot.offset);
  }

  std::unordered_map<int, dnnl::memory> bind(Context& ctx, const Step& step, size_t lane) {
    auto args = step.constants;
    for (const auto& [arg, slot] : step.slots) args[arg] = slot_memory(ctx, slot);
    args[DNNL_ARG_SCRATCHPAD] = ctx.scratchpads[lane];
    return args;
  }

  void compile(const Model& model) {
    const auto layers = inception_v3_layers(model.endpoint);
    const auto shapes = infer_shapes(layers, options.image_size);
    const bool int8 = precision == Precision::int8, in_place = !int8;
    const int block = channel_block();
    const tag act_tag = int8 ? tag::nhwc : blocked_activation_tag();
    const dt act_dt = int8 ? dt::u8 : precision == Precision::bf16 ? dt::bf16 : dt::f32;
    const size_t act_bytes = dnnl::memory::data_type_size(act_dt);
    const auto placement = place_layers(layers, shapes, block, in_place);
    const auto scales = int8 ? activation_scales(layers, model) : std::map<std::string, float>{};
    const auto scale_of = [&](const std::string& name) { return int8 ? scales.at(name) : 1.f; };
    const int S = options.image_size;
    const auto act_desc = [&](const LayerShape& s, dt type) {
      return dnnl::memory::desc({1, s.C, s.H, s.W}, type, act_tag);
    };
    // Buffers are planned here with their lives (buffer_plan.h) and shared at the end.
    std::vector<BufferUse> uses;
    const auto new_buffer = [&](const dnnl::memory::desc& d, int first, int last) {
      buffer_descs.push_back(d);
      uses.push_back({d.get_size(), first, last});
      return Slot{int(buffer_descs.size()) - 1, 0, d};
    };
    // A buffer lives from the first write to the last read of any tensor placed in it; the end
    // point is read after the last stage (global pool, keep_endpoint).
    const auto stage_of = stage_of_layers(layers);
    std::map<std::string, int> last_read{{layers.back().name, kLivesToTheEnd}};
    for (const Layer& layer : layers)
      for (const auto& in : layer.inputs) last_read[in] = std::max(last_read[in], stage_of.at(layer.name));
    std::map<std::string, std::pair<int, int>> life_of;  // by owner
    for (const Layer& layer : layers) {
      auto [it, fresh] = life_of.try_emplace(placement.at(layer.name).owner, kLivesToTheEnd, -1);
      const int written = stage_of.at(layer.name), read = last_read.count(layer.name) ? last_read.at(layer.name) : written;
      it->second = {std::min(it->second.first, written), std::max({it->second.second, written, read})};
    }

    // Tensors: owners get a buffer; concat inputs (blocked layouts) point into their owner's
    // (N = 1: channel c of a blocked layout starts at c*H*W elements).
    std::map<std::string, Slot> slot_of;
    std::map<std::string, LayerShape> shape_of{{"input", {S, S, 3}}};
    for (size_t i = 0; i < layers.size(); ++i) {
      shape_of[layers[i].name] = shapes[i];
      if (placement.at(layers[i].name).owner == layers[i].name) {
        const auto [first, last] = life_of.at(layers[i].name);
        slot_of[layers[i].name] = new_buffer(act_desc(shapes[i], act_dt), first, last);
      }
    }
    for (size_t i = 0; i < layers.size(); ++i) {
      const auto& p = placement.at(layers[i].name);
      if (p.owner == layers[i].name) continue;
      Slot s = slot_of.at(p.owner);
      s.offset += size_t(p.channel_offset) * size_t(shapes[i].H) * size_t(shapes[i].W) * act_bytes;
      s.desc = act_desc(shapes[i], act_dt);
      slot_of[layers[i].name] = s;
    }

    // The image into the first conv's layout and type (s8 for int8: the image is signed).
    image_desc = dnnl::memory::desc({1, 3, S, S}, dt::f32, tag::nhwc);
    {
      const Layer& first = layers.front();
      const auto& w = model.convs.at(first.name);
      int PH_L, PH_R, PW_L, PW_R;
      tf_padding(first, S, S, PH_L, PH_R, PW_L, PW_R);
      const dnnl::memory::desc wanted = int8 ? dnnl::memory::desc({1, 3, S, S}, dt::s8, tag::nhwc)
                                             : dnnl::memory::desc({1, 3, S, S}, act_dt, tag::any);
      ScopedThreads one(1);
      const Conv2d probe(engine, wanted, slot_of.at(first.name).desc, w.weights, w.bias,
                         {first.SH, first.SW, PH_L, PH_R, PW_L, PW_R, true}, {scale_of("input"), scale_of(first.name)});
      if (probe.src_desc() == image_desc) {
        slot_of["input"] = Slot{kImage, 0, image_desc};
      } else {
        slot_of["input"] = new_buffer(probe.src_desc(), -1, stage_of.at(first.name));
        dnnl::primitive_attr attr;
        attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
        if (int8) attr.set_output_scales(0, {1.f / scale_of("input")});
        const dnnl::reorder::primitive_desc pd(engine, image_desc, engine, probe.src_desc(), attr);
        add_step({"input", "reorder", first.name, dnnl::reorder(pd), {}, {{DNNL_ARG_FROM, Slot{kImage, 0, image_desc}}, {DNNL_ARG_TO, slot_of.at("input")}}, pd.scratchpad_desc(), 0}, true);
      }
    }

    // The layers: stem layers as team steps; each block's branches as concurrent lanes.
    std::map<std::string, Conv2d> single_convs;
    const auto make_step = [&](const Layer& layer, int nthreads, ChannelRange range = {}) -> Step {
      ScopedThreads scoped(nthreads);
      Step step{layer.name, "", endpoint_of(layer.name), {}, {}, {}, {}, 0};
      Slot dst = slot_of.at(layer.name);
      if (range.count > 0) {  // a part of a conv: its channel slice of the output (blocked, N = 1)
        const LayerShape& out = shape_of.at(layer.name);
        dst.offset += size_t(range.first) * size_t(out.H) * size_t(out.W) * act_bytes;
        dst.desc = act_desc({out.H, out.W, range.count}, act_dt);
      }
      if (layer.kind == LayerKind::Concat) {  // only when not in place (int8, nhwc)
        std::vector<dnnl::memory::desc> srcs;
        for (size_t i = 0; i < layer.inputs.size(); ++i) {
          srcs.push_back(slot_of.at(layer.inputs[i]).desc);
          step.slots.push_back({DNNL_ARG_MULTIPLE_SRC + int(i), slot_of.at(layer.inputs[i])});
        }
        dnnl::primitive_attr attr;
        attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
        const dnnl::concat::primitive_desc pd(dst.desc, 1, srcs, engine, attr);
        step.kind = "concat";
        step.primitive = dnnl::concat(pd);
        step.scratchpad = pd.scratchpad_desc();
        step.slots.push_back({DNNL_ARG_DST, dst});
        return step;
      }
      const Slot& src = slot_of.at(layer.inputs[0]);
      const LayerShape in = shape_of.at(layer.inputs[0]), out = shape_of.at(layer.name);
      int PH_L, PH_R, PW_L, PW_R;
      tf_padding(layer, in.H, in.W, PH_L, PH_R, PW_L, PW_R);
      step.slots = {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}};
      if (layer.kind == LayerKind::Conv) {
        const auto& w = model.convs.at(layer.name);
        const auto [weights, bias] = range.count > 0 ? channel_slice(w.weights, w.bias, range) : std::pair{w.weights, w.bias};
        // A part, or the team version, of a conv computes with the one-thread whole conv's
        // algorithm, so every schedule gives the same numbers.
        const auto whole = single_convs.find(layer.name);
        const bool is_whole = whole == single_convs.end();
        Conv2d conv(engine, src.desc, dst.desc, weights, bias, {.SH = layer.SH, .SW = layer.SW, .PH_L = PH_L, .PH_R = PH_R, .PW_L = PW_L, .PW_R = PW_R, .relu = true},
                    {.src = scale_of(layer.inputs[0]), .dst = scale_of(layer.name)},
                    is_whole ? std::nullopt : std::optional(whole->second.algorithm()));
        if (is_whole) single_convs.emplace(layer.name, conv);
        else if (range.count == 0) conv.share_weights(whole->second);
        step.kind = "conv";
        step.primitive = conv.primitive();
        step.constants = conv.args(dnnl::memory(), dnnl::memory(), dnnl::memory());
        step.scratchpad = conv.scratchpad_desc();
        step.flops = 2.0 * out.H * out.W * (range.count > 0 ? range.count : out.C) * layer.KH * layer.KW * in.C;
      } else {
        const bool max = layer.kind == LayerKind::MaxPool;
        Pool2d pool(engine, src.desc, dst.desc,
                    {.kind = max ? PoolKind::Max : PoolKind::Average, .KH = layer.KH, .KW = layer.KW, .SH = layer.SH,
                     .SW = layer.SW, .PH_L = PH_L, .PH_R = PH_R, .PW_L = PW_L, .PW_R = PW_R});
        step.kind = max ? "max pool" : "avg pool";
        step.primitive = pool.primitive();
        step.scratchpad = pool.scratchpad_desc();
        step.flops = double(out.H) * out.W * out.C * layer.KH * layer.KW;  // a cost for balancing lanes
      }
      return step;
    };

    // A block's layers (with the one-thread step of each executed one) until its concat.
    std::vector<std::pair<const Layer*, std::optional<size_t>>> block_layers;
    for (const Layer& layer : layers) {
      const bool executed = layer.kind != LayerKind::Concat || !in_place;
      if (!branch_of(layer.name).empty()) {  // inside a block: one-thread steps
        block_layers.emplace_back(&layer, std::nullopt);
        if (!executed) continue;
        block_layers.back().second = add_step(make_step(layer, 1), false);
        flops += layer.kind == LayerKind::Conv ? steps[*block_layers.back().second].flops : 0;
        continue;
      }
      if (!block_layers.empty()) {  // a block's concat closes the block
        if (threads > 1) stages.push_back(block_stage(block_layers, in_place, make_step));
        block_layers.clear();
      }
      if (!executed) continue;
      const size_t index = add_step(make_step(layer, 1), true);
      flops += layer.kind == LayerKind::Conv ? steps[index].flops : 0;
      if (threads > 1) {
        const size_t team = steps.size();
        steps.push_back(make_step(layer, threads));
        stages.back().lanes = {{team}};  // the stem layer (or a block's concat) over all threads
        stages.back().in_order = {team};
      }
    }

    // Logits/AvgPool_1a_8x8: the global average of the end point, in f32, into plain rows.
    const LayerShape last = shapes.back();
    feature_dim = last.C;
    Slot endpoint_slot = slot_of.at(layers.back().name);
    if (act_dt != dt::f32) {  // oneDNN pools keep the data type: to f32 first (and unscale int8)
      const Slot f32 = new_buffer(act_desc(last, dt::f32), kLivesToTheEnd, kLivesToTheEnd);
      ScopedThreads one(1);
      dnnl::primitive_attr attr;
      attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
      if (int8) attr.set_output_scales(0, {scale_of(layers.back().name)});
      const dnnl::reorder::primitive_desc pd(engine, endpoint_slot.desc, engine, f32.desc, attr);
      add_step({layers.back().name, "reorder", model.endpoint, dnnl::reorder(pd), {}, {{DNNL_ARG_FROM, endpoint_slot}, {DNNL_ARG_TO, f32}}, pd.scratchpad_desc(), 0}, true);
      endpoint_slot = f32;
    }
    // The feature row in the end point's own layout: with 1x1 pixels, nChw16c / nhwc are the
    // same bytes as a plain row (unless C needs padding), and oneDNN 2.6 pools a blocked src
    // into a plain dst only on its reference kernel (2.2 of the full network's 51 ms on one thread).
    features_desc = dnnl::memory::desc({1, last.C, 1, 1}, dt::f32, act_tag);
    if (features_desc.get_size() != size_t(last.C) * sizeof(float))
      features_desc = dnnl::memory::desc({1, last.C, 1, 1}, dt::f32, tag::nchw);
    {
      ScopedThreads one(1);
      Pool2d gap(engine, endpoint_slot.desc, features_desc, {.kind = PoolKind::Average, .KH = last.H, .KW = last.W, .SH = 1, .SW = 1});
      add_step({"Logits/AvgPool_1a_8x8", "global pool", model.endpoint, gap.primitive(), {},
                {{DNNL_ARG_SRC, endpoint_slot}, {DNNL_ARG_DST, Slot{kFeatures, 0, features_desc}}}, gap.scratchpad_desc(), 0},
               true);
    }
    if (options.keep_endpoint) {  // the end point (in f32) reordered into plain HWC rows
      endpoint_shape = last;
      endpoint_desc = dnnl::memory::desc({1, last.C, last.H, last.W}, dt::f32, tag::nhwc);
      ScopedThreads one(1);
      dnnl::primitive_attr attr;
      attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
      const dnnl::reorder::primitive_desc pd(engine, endpoint_slot.desc, engine, endpoint_desc, attr);
      add_step({layers.back().name, "reorder", model.endpoint, dnnl::reorder(pd), {},
                {{DNNL_ARG_FROM, endpoint_slot}, {DNNL_ARG_TO, Slot{kEndpoint, 0, endpoint_desc}}}, pd.scratchpad_desc(), 0},
               true);
    }
    share_buffers(uses);
    if (head) {
      if (head->weights.dim(2) != feature_dim)
        throw InputError("network: head expects " + std::to_string(head->weights.dim(2)) + " features, " +
                         endpoint + " gives " + std::to_string(feature_dim));
      flops += 2.0 * feature_dim * head->num_classes();
    }
  }

  // A block's branches as concurrent lanes (schedule.h): its executed layers become tasks that
  // wait for the tasks producing their inputs (an in-place concat stands for its inputs), and
  // the convs the plan splits get one one-thread step per part.
  using StepMaker = std::function<Step(const Layer&, int, ChannelRange)>;
  Stage block_stage(const std::vector<std::pair<const Layer*, std::optional<size_t>>>& block, bool in_place,
                    const StepMaker& make_step) {
    constexpr double kPoolCost = 8, kCopyCost = 20;  // per pool "flop", per concat byte: in conv flops
    std::vector<BlockTask> tasks;
    std::vector<size_t> task_step;
    std::vector<const Layer*> task_layer;
    std::map<std::string, std::vector<size_t>> producers;  // layer name -> tasks that write it
    for (const auto& [layer, step] : block) {
      std::vector<size_t> after;
      for (const auto& in : layer->inputs)
        if (auto it = producers.find(in); it != producers.end()) after.insert(after.end(), it->second.begin(), it->second.end());
      std::sort(after.begin(), after.end());
      after.erase(std::unique(after.begin(), after.end()), after.end());
      if (!step) {  // an in-place concat: written by whatever writes its inputs
        producers[layer->name] = after;
        continue;
      }
      const Step& s = steps[*step];
      const bool conv = layer->kind == LayerKind::Conv;
      const double cost = conv ? s.flops : s.kind == "concat" ? kCopyCost * double(s.dst().desc.get_size()) : kPoolCost * s.flops;
      // Parts are channel slices of the output: contiguous only in a blocked layout (not int8's nhwc).
      const int blocks = conv && in_place && layer->OC % channel_block() == 0 ? layer->OC / channel_block() : 1;
      producers[layer->name] = {tasks.size()};
      tasks.push_back({cost, after, blocks});
      task_step.push_back(*step);
      task_layer.push_back(layer);
    }
    const BlockPlan plan = plan_block(tasks, size_t(threads));
    std::vector<std::vector<size_t>> step_of(tasks.size());  // per task, per part
    Stage stage;
    for (size_t t = 0; t < tasks.size(); ++t) {
      if (plan.parts[t] == 1) {
        step_of[t] = {task_step[t]};
      } else {
        for (int p = 0; p < plan.parts[t]; ++p) {
          const auto [first, count] = part_blocks(tasks[t].max_parts, plan.parts[t], p);
          steps.push_back(make_step(*task_layer[t], 1, {first * channel_block(), count * channel_block()}));
          step_of[t].push_back(steps.size() - 1);
        }
      }
      stage.in_order.insert(stage.in_order.end(), step_of[t].begin(), step_of[t].end());
    }
    std::map<size_t, size_t> lane_of;
    for (size_t l = 0; l < plan.lanes.size(); ++l)
      for (const TaskPart& tp : plan.lanes[l]) lane_of[step_of[tp.task][size_t(tp.part)]] = l;
    for (size_t l = 0; l < plan.lanes.size(); ++l) {
      if (plan.lanes[l].empty()) continue;
      auto& lane = stage.lanes.emplace_back();
      auto& waits = stage.waits.emplace_back();
      for (const TaskPart& tp : plan.lanes[l]) {
        lane.push_back(step_of[tp.task][size_t(tp.part)]);
        auto& wait = waits.emplace_back();
        for (size_t a : tasks[tp.task].after)
          for (size_t k : step_of[a])
            if (lane_of.at(k) != l) wait.push_back(k);
      }
    }
    return stage;
  }

  // Tensors whose lives do not overlap share memory: the buffers become bytes, and every
  // step's slots point into the shared buffer planned for theirs.
  void share_buffers(const std::vector<BufferUse>& uses) {
    const BufferPlan plan = plan_buffers(uses);
    for (Step& step : steps)
      for (auto& [arg, slot] : step.slots)
        if (slot.buffer >= 0) slot.buffer = int(plan.buffer_of[size_t(slot.buffer)]);
    buffer_descs.clear();
    for (size_t bytes : plan.bytes) buffer_descs.emplace_back(dnnl::memory::dims{dnnl::memory::dim(std::max<size_t>(bytes, 1))}, dt::u8, tag::x);
  }

  // Adds a one-thread step to the program; `own_stage`: also a stage of its own in the
  // one-image schedule (the caller may swap in a team version of it).
  size_t add_step(Step step, bool own_stage) {
    steps.push_back(std::move(step));
    single.push_back(steps.size() - 1);
    if (own_stage && threads > 1) stages.push_back({.lanes = {{steps.size() - 1}}, .waits = {{{}}}, .in_order = {steps.size() - 1}});
    return steps.size() - 1;
  }

  // ---- execution ------------------------------------------------------------------------

  void point_at(Context& ctx, const float* image, float* features, float* endpoint = nullptr) {
    ctx.image.set_data_handle(const_cast<float*>(image));
    ctx.features.set_data_handle(features);
    if (options.keep_endpoint) ctx.endpoint.set_data_handle(endpoint ? endpoint : ctx.unwanted_endpoint.data());
  }

  void run_single(Context& ctx) {
    for (size_t i : single) steps[i].primitive.execute(ctx.streams[0], ctx.single_args[i]);
    ctx.streams[0].wait();
  }

  void run_stages(Context& ctx) {
    const uint64_t run = ++ctx.runs;
    for (size_t s = 0; s < stages.size(); ++s) {
      const Stage& stage = stages[s];
      const auto& lanes = stage.lanes;
      if (lanes.size() == 1) {
        for (size_t i = 0; i < lanes[0].size(); ++i) steps[lanes[0][i]].primitive.execute(ctx.streams[0], ctx.stage_args[s][0][i]);
        ctx.streams[0].wait();
        continue;
      }
      std::exception_ptr error;
      std::atomic<bool> failed{false};
#pragma omp parallel num_threads(int(lanes.size()))
      {
        const size_t l = size_t(omp_get_thread_num());
        try {
          if (size_t(omp_get_num_threads()) < lanes.size()) {
            // Fewer threads than lanes (a nested call, OMP_DYNAMIC): one thread runs the stage.
            if (l == 0) run_in_order(ctx, s);
          } else {
            for (size_t i = 0; i < lanes[l].size(); ++i) {
              for (size_t w : stage.waits[l][i]) wait_for(ctx, w, run, failed);
              steps[lanes[l][i]].primitive.execute(ctx.streams[l], ctx.stage_args[s][l][i]);
              ctx.streams[l].wait();
              ctx.done[lanes[l][i]].store(run, std::memory_order_release);
            }
          }
        } catch (...) {
#pragma omp critical(blastscan_network_error)
          if (!error) error = std::current_exception();
          failed = true;  // after recording: a lane that gives up waiting never hides the cause
        }
      }
      if (error) std::rethrow_exception(error);
    }
  }

  // Until another lane has finished `step` in this run (or failed: then this lane gives up too).
  void wait_for(Context& ctx, size_t step, uint64_t run, const std::atomic<bool>& failed) {
    for (int spins = 0; ctx.done[step].load(std::memory_order_acquire) != run; ++spins) {
      if (failed.load(std::memory_order_relaxed)) throw Error("network: another lane failed");
      if (spins > 1000) std::this_thread::yield();  // the other lane is not running: let it
    }
  }

  // A multi-lane stage on this thread alone, on the lane-0 bindings of the one-thread program.
  void run_in_order(Context& ctx, size_t s) {
    for (size_t step : stages[s].in_order) steps[step].primitive.execute(ctx.streams[0], bind(ctx, steps[step], 0));
    ctx.streams[0].wait();
  }

  NetworkOutput run(const float* images, int n) {
    if (n < 1 || n > options.batch)
      throw Error("network: run() got " + std::to_string(n) + " images, batch is " + std::to_string(options.batch));
    // OpenMP's thread count is per calling thread, so set it on whichever thread runs us.
    omp_set_num_threads(threads);
    const int64_t image_floats = int64_t(options.image_size) * options.image_size * 3;
    NetworkOutput out;
    out.features = Tensor({n, feature_dim});
    const auto image = [&](int i) { return images + i * image_floats; };
    const auto row = [&](int i) { return out.features.ptr() + int64_t(i) * feature_dim; };
    const LayerShape& e = endpoint_shape;
    if (options.keep_endpoint) out.endpoint = Tensor({n, e.H, e.W, e.C});
    const auto endpoint_row = [&](int i) {
      return options.keep_endpoint ? out.endpoint.ptr() + int64_t(i) * e.H * e.W * e.C : nullptr;
    };
    if (n == 1 || contexts.size() == 1) {
      for (int i = 0; i < n; ++i) {
        point_at(contexts[0], image(i), row(i), endpoint_row(i));
        stages.empty() ? run_single(contexts[0]) : run_stages(contexts[0]);
      }
    } else {  // one image per thread
      std::atomic<int> next{0};
      std::exception_ptr error;
      const int workers = std::min(n, int(contexts.size()));
#pragma omp parallel num_threads(workers)
      {
        Context& ctx = contexts[size_t(omp_get_thread_num())];
        for (int i; (i = next++) < n;) {
          try {
            point_at(ctx, image(i), row(i), endpoint_row(i));
            run_single(ctx);
          } catch (...) {
#pragma omp critical(blastscan_network_error)
            if (!error) error = std::current_exception();
          }
        }
      }
      if (error) std::rethrow_exception(error);
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

  // The f32 values a step wrote (N = 1: a slot is one contiguous run).
  float slot_max(Context& ctx, const Slot& slot) {
    const auto* p = reinterpret_cast<const float*>(static_cast<const char*>(ctx.buffers[size_t(slot.buffer)].get_data_handle()) + slot.offset);
    return *std::max_element(p, p + slot.desc.get_size() / sizeof(float));
  }

  std::map<std::string, float> activation_max(const float* images, int n) {
    if (precision != Precision::f32) throw Error("network: calibration runs in fp32");
    omp_set_num_threads(threads);
    const int64_t image_floats = int64_t(options.image_size) * options.image_size * 3;
    using Maxima = std::map<std::string, float>;
    const auto record = [](Maxima& m, const std::string& name, float value) {
      auto [it, fresh] = m.try_emplace(name, value);
      if (!fresh) it->second = std::max(it->second, value);
    };
    std::vector<Maxima> per_context(contexts.size());
    std::atomic<int> next{0};
    std::exception_ptr error;
#pragma omp parallel num_threads(int(std::min<size_t>(contexts.size(), size_t(n))))
    {  // one image per thread, each context recording its own maxima
      const size_t c = size_t(omp_get_thread_num());
      Context& ctx = contexts[c];
      std::vector<float> features(static_cast<size_t>(feature_dim));
      for (int i; (i = next++) < n;) {
        try {
          const float* image = images + i * image_floats;
          float absmax = 0;
          for (int64_t k = 0; k < image_floats; ++k) absmax = std::max(absmax, std::abs(image[k]));
          record(per_context[c], "input", absmax);
          point_at(ctx, image, features.data());
          for (size_t s : single) {
            steps[s].primitive.execute(ctx.streams[0], ctx.single_args[s]);
            ctx.streams[0].wait();
            if (steps[s].kind == "conv" || steps[s].kind == "max pool" || steps[s].kind == "avg pool")
              record(per_context[c], steps[s].layer, slot_max(ctx, steps[s].dst()));
          }
        } catch (...) {
#pragma omp critical(blastscan_network_error)
          if (!error) error = std::current_exception();
        }
      }
    }
    if (error) std::rethrow_exception(error);
    Maxima result;
    for (const auto& m : per_context)
      for (const auto& [name, value] : m) record(result, name, value);
    // A concat (in place, not a step) holds the values of its inputs.
    for (const Layer& layer : inception_v3_layers(endpoint))
      if (layer.kind == LayerKind::Concat)
        for (const auto& in : layer.inputs) record(result, layer.name, result.at(in));
    return result;
  }

  std::vector<LayerTime> profile(const float* image, int repeats) {
    ScopedThreads one(1);
    std::vector<float> features(static_cast<size_t>(feature_dim));
    Context& ctx = contexts[0];
    point_at(ctx, image, features.data());
    std::vector<LayerTime> out;
    for (size_t s : single) {
      std::vector<double> ms;
      for (int r = 0; r < std::max(1, repeats); ++r) {
        const auto start = std::chrono::steady_clock::now();
        steps[s].primitive.execute(ctx.streams[0], ctx.single_args[s]);
        ctx.streams[0].wait();
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
      }
      std::nth_element(ms.begin(), ms.begin() + ptrdiff_t(ms.size() / 2), ms.end());
      out.push_back({steps[s].layer, steps[s].kind, steps[s].endpoint, ms[ms.size() / 2]});
    }
    return out;
  }
};

Network::Network(const Model& model, NetworkOptions options) : impl_(std::make_unique<Impl>(model, options)) {}
Network::~Network() = default;
Network::Network(Network&&) noexcept = default;
Network& Network::operator=(Network&&) noexcept = default;

NetworkOutput Network::run(const float* input, int n) { return impl_->run(input, n); }
std::map<std::string, float> Network::activation_max(const float* input, int n) { return impl_->activation_max(input, n); }
std::vector<LayerTime> Network::profile(const float* input, int repeats) { return impl_->profile(input, repeats); }
int Network::batch() const { return impl_->options.batch; }
int Network::feature_dim() const { return impl_->feature_dim; }
Precision Network::precision() const { return impl_->precision; }
double Network::flops_per_image() const { return impl_->flops; }

std::string to_string(Precision precision) {
  switch (precision) {
    case Precision::f32: return "fp32";
    case Precision::bf16: return "bf16";
    case Precision::int8: return "int8";
  }
  return "?";
}

Precision parse_precision(const std::string& name) {
  if (name == "fp32" || name == "f32") return Precision::f32;
  if (name == "bf16") return Precision::bf16;
  if (name == "int8") return Precision::int8;
  throw InputError("unknown precision '" + name + "' (expected fp32, bf16 or int8)");
}

bool precision_supported(Precision precision) { return precision != Precision::bf16 || has_fast_bf16(); }

}  // namespace blastscan
