#include "train/feature_extractor.h"

#include <cstring>
#include <functional>
#include <map>
#include <random>

#include "base/error.h"
#include "base/file_io.h"
#include "base/hash.h"
#include "base/progress.h"
#include "data/bounded_queue.h"
#include "data/image.h"
#include "data/parallel.h"
#include "data/preprocess.h"
#include "inception/inception_v3.h"
#include "inception/network.h"
#include "inception/trainable_stack.h"
#include "predict/predictor.h"
#include "train/bottleneck_cache.h"

namespace blastscan {

namespace {

using Clock = std::chrono::steady_clock;

struct ViewRef {
  size_t image;
  int view;
};

// A preprocessed batch on its way from the decoding thread to the network.
struct Batch {
  std::vector<ViewRef> refs;
  std::vector<float> input;  // [refs.size(), S, S, 3]
};

// Version the distortion recipe: a change to it must not reuse old cached views.
std::string view_name(int view, uint64_t seed) {
  return view == 0 ? "eval" : "distort-v1:seed=" + std::to_string(seed) + ":view=" + std::to_string(view);
}

void preprocess_view(const Model& model, const cv::Mat& rgb, const std::string& image_sha256, int view,
                     const ExtractOptions& o, float* dst) {
  if (view == 0) return preprocess_for_model(model, rgb, o.image_size, dst);
  // std::seed_seq's mixing is specified by the standard: the same view on every platform.
  std::vector<uint32_t> words;
  for (size_t i = 0; i + 8 <= 32; i += 8) words.push_back(uint32_t(std::stoul(image_sha256.substr(i, 8), nullptr, 16)));
  words.insert(words.end(), {uint32_t(o.seed), uint32_t(o.seed >> 32), uint32_t(view)});
  std::seed_seq seq(words.begin(), words.end());
  std::mt19937 rng(seq);
  // Distortions start from what the model sees: the recipe's colour step first (for "gray",
  // the equalised gray image).
  preprocess_inception_train(normalise_colour(preprocessing_recipe(model.preprocessing), rgb), o.image_size, rng, dst);
}

// Hashes every image's bytes (in parallel) into `hashes`; the views `have(image, view)` does
// not find are the ones to compute.
std::vector<ViewRef> views_to_compute(const std::vector<std::filesystem::path>& images, int views, int threads,
                                      std::vector<std::string>& hashes,
                                      const std::function<bool(size_t, int)>& have) {
  hashes.assign(images.size(), {});
  std::vector<std::vector<uint8_t>> missing(images.size(), std::vector<uint8_t>(size_t(views), 0));
  parallel_for(images.size(), threads, [&](size_t i) {
    hashes[i] = sha256_hex(read_file(images[i]));
    for (int v = 0; v < views; ++v) missing[i][size_t(v)] = !have(i, v);
  });
  std::vector<ViewRef> todo;
  for (size_t i = 0; i < images.size(); ++i)
    for (int v = 0; v < views; ++v)
      if (missing[i][size_t(v)]) todo.push_back({i, v});
  return todo;
}

// Counts what was cached and computed; runs `compute` (timed) when anything is missing.
ExtractStats compute_missing(size_t views, size_t missing, const std::function<void()>& compute) {
  ExtractStats s;
  s.views = views;
  s.computed = missing;
  s.cached = views - missing;
  if (missing == 0) return s;
  const auto start = Clock::now();
  compute();
  s.compute_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return s;
}

// Decodes and preprocesses the views in `todo` on a producer thread, batch by batch, while
// `consume` runs each batch on this thread: decoding overlaps compute.
void run_in_batches(const Model& model, const std::vector<std::filesystem::path>& images,
                    const std::vector<std::string>& hashes, const std::vector<ViewRef>& todo, const ExtractOptions& o,
                    const char* what, const std::function<void(const Batch&)>& consume) {
  const size_t image_floats = size_t(o.image_size) * size_t(o.image_size) * 3;
  ProgressCounter progress(o.progress, what, todo.size());
  produce_and_consume<Batch>(
      2,
      [&](const auto& push) {
        for (size_t first = 0; first < todo.size(); first += size_t(o.batch)) {
          Batch batch;
          batch.refs.assign(todo.begin() + ptrdiff_t(first),
                            todo.begin() + ptrdiff_t(std::min(todo.size(), first + size_t(o.batch))));
          batch.input.resize(batch.refs.size() * image_floats);
          for (size_t j = 0; j < batch.refs.size(); ++j) {
            const ViewRef& r = batch.refs[j];
            const cv::Mat rgb = load_image(images[r.image]);
            preprocess_view(model, rgb, hashes[r.image], r.view, o, batch.input.data() + j * image_floats);
          }
          if (!push(std::move(batch))) return;  // the consumer gave up
        }
      },
      [&](const Batch& batch) {
        consume(batch);
        progress.advance(batch.refs.size());
      });
  progress.finish();
}

}  // namespace

int feature_dim(const Model& model) {
  std::map<std::string, int> channels{{"input", 3}};
  int last = 0;
  for (const Layer& layer : inception_v3_layers(model.endpoint)) {
    int c = 0;
    if (layer.kind == LayerKind::Conv) c = layer.OC;
    else if (layer.kind == LayerKind::Concat)
      for (const auto& in : layer.inputs) c += channels.at(in);
    else c = channels.at(layer.inputs.at(0));
    channels[layer.name] = last = c;
  }
  return last;
}

std::vector<float> extract_features(const Model& model, const std::vector<std::filesystem::path>& images,
                                    const ExtractOptions& o, ExtractStats* stats) {
  const auto start = Clock::now();
  const int C = feature_dim(model), views = 1 + o.distortions;
  const BottleneckCache cache(o.cache_dir.empty() ? default_cache_dir() : o.cache_dir,
                              backbone_id(model, o.image_size, o.precision), C);
  std::vector<float> features(images.size() * size_t(views) * size_t(C));
  auto row = [&](const ViewRef& r) { return features.data() + (r.image * size_t(views) + size_t(r.view)) * size_t(C); };

  // Read what the cache has; the rest is to compute.
  std::vector<std::string> hashes;
  const auto todo = views_to_compute(images, views, o.threads, hashes, [&](size_t i, int v) {
    return cache.load(BottleneckCache::entry_key(hashes[i], view_name(v, o.seed)), row({i, v}));
  });

  ExtractStats s = compute_missing(images.size() * size_t(views), todo.size(), [&] {
    Model backbone = model;
    backbone.head.reset();  // features only
    Network network(backbone,
                    {.batch = o.batch, .image_size = o.image_size, .threads = o.threads, .precision = o.precision});
    run_in_batches(model, images, hashes, todo, o, "caching features", [&](const Batch& batch) {
      const NetworkOutput out = network.run(batch.input.data(), int(batch.refs.size()));
      for (size_t j = 0; j < batch.refs.size(); ++j) {
        const ViewRef& r = batch.refs[j];
        std::memcpy(row(r), out.features.ptr() + j * size_t(C), size_t(C) * sizeof(float));
        cache.store(BottleneckCache::entry_key(hashes[r.image], view_name(r.view, o.seed)), row(r));
      }
    });
  });
  s.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (stats) *stats = s;
  return features;
}

// ---- activations at a cut, for fine-tuning

CutActivations::CutActivations(BottleneckCache cache, std::vector<std::string> keys, int views, LayerShape shape)
    : cache_(std::move(cache)), keys_(std::move(keys)), views_(views), shape_(shape) {}

void CutActivations::load(size_t image, int view, float* nhwc) const {
  const std::string& key = keys_.at(image * size_t(views_) + size_t(view));
  if (!cache_.load(key, nhwc))
    throw InputError(cache_.entry_path(key).string() + ": cached activation vanished or is corrupt; run again to "
                     "recompute it");
}

CutActivations cache_activations(const Model& lower, const std::vector<std::filesystem::path>& images,
                                 const ExtractOptions& o, ExtractStats* stats) {
  const auto start = Clock::now();
  const int views = 1 + o.distortions;
  const auto shape = infer_shapes(inception_v3_layers(lower.endpoint), o.image_size).back();
  const int64_t values = int64_t(shape.H) * shape.W * shape.C;
  const BottleneckCache cache(activation_cache_dir(o.cache_dir.empty() ? default_cache_dir() : o.cache_dir),
                              backbone_id(lower, o.image_size), values, StoredAs::f16);
  std::vector<std::string> hashes;
  const auto key = [&](size_t i, int v) { return BottleneckCache::entry_key(hashes[i], view_name(v, o.seed)); };
  const auto todo = views_to_compute(images, views, o.threads, hashes, [&](size_t i, int v) {
    thread_local std::vector<float> entry;  // loading checks the entry's size and CRC
    entry.resize(static_cast<size_t>(values));
    return cache.load(key(i, v), entry.data());
  });

  ExtractStats s = compute_missing(images.size() * size_t(views), todo.size(), [&] {
    TrainableStack frozen(lower, "input", {.batch = o.batch, .image_size = o.image_size, .threads = o.threads,
                                           .backward = false});
    std::vector<float> unused(size_t(o.batch) * size_t(shape.C)), activations(size_t(o.batch) * size_t(values));
    run_in_batches(lower, images, hashes, todo, o, "caching activations", [&](const Batch& batch) {
      frozen.forward(batch.input.data(), int(batch.refs.size()), unused.data());
      frozen.output_activation(activations.data());
      for (size_t j = 0; j < batch.refs.size(); ++j)
        cache.store(key(batch.refs[j].image, batch.refs[j].view), activations.data() + j * size_t(values));
    });
  });
  std::vector<std::string> keys;
  for (size_t i = 0; i < images.size(); ++i)
    for (int v = 0; v < views; ++v) keys.push_back(key(i, v));
  s.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (stats) *stats = s;
  return CutActivations(cache, std::move(keys), views, shape);
}

}  // namespace blastscan
