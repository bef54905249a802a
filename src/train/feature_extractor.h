// The one batched backbone pass per image view that transfer learning needs, through the
// bottleneck cache: views already cached are read back; the rest run through the compiled
// network in batches while a producer thread decodes and preprocesses the next batch, so
// decoding overlaps compute. View 0 is the evaluation preprocessing of the model; views
// 1..distortions are TF-Slim training distortions seeded by (image bytes, seed, view), so a
// view is the same whichever run, order or batch computes it, and can be cached.
#pragma once
#include <cstdint>
#include <filesystem>
#include <vector>

#include "base/progress.h"
#include "inception/inception_v3.h"
#include "inception/network.h"
#include "train/bottleneck_cache.h"

namespace blastscan {

struct ExtractOptions {
  std::filesystem::path cache_dir;  // empty: default_cache_dir()
  int threads = 0;                  // network threads, 0 = all cores
  Precision precision = Precision::f32;  // of the backbone pass (part of the cache key)
  int batch = 8;
  int image_size = 299;
  int distortions = 0;              // distorted views per image besides the clean one
  uint64_t seed = 50;               // of the distortions
  ProgressFn progress;              // each batch of views computed
};

struct ExtractStats {
  size_t views = 0;     // image views asked for
  size_t cached = 0;    // found in the cache
  size_t computed = 0;  // run through the network
  double compute_seconds = 0;  // of the network pass (decoding overlapped), 0 when all cached
  double seconds = 0;          // total, hashing and cache reads included
  double images_per_second() const { return compute_seconds > 0 ? double(computed) / compute_seconds : 0; }
};

// Features [images.size(), 1 + distortions, C] of the model's backbone (its head is ignored).
// Throws InputError naming an image that cannot be read or decoded.
std::vector<float> extract_features(const Model& model, const std::vector<std::filesystem::path>& images,
                                    const ExtractOptions& options, ExtractStats* stats = nullptr);

// The backbone's feature length (channels of its end point).
int feature_dim(const Model& model);

// Fine-tuning: the activations at a cut of every image view, cached as fp16 beside the
// bottleneck features and read back from disk batch by batch, so a training set of any size
// streams through a few batches of memory (the page cache keeps what fits).
class CutActivations {
 public:
  CutActivations(BottleneckCache cache, std::vector<std::string> keys, int views, LayerShape shape);
  LayerShape shape() const { return shape_; }
  int views() const { return views_; }
  size_t images() const { return keys_.size() / size_t(views_); }
  // NHWC [H,W,C] of one view; throws InputError if its entry vanished or was damaged.
  void load(size_t image, int view, float* nhwc) const;

 private:
  BottleneckCache cache_;
  std::vector<std::string> keys_;  // [image * views + view]
  int views_;
  LayerShape shape_;
};

// `lower` is the backbone up to the cut (its end point), views as extract_features: 0 the
// evaluation preprocessing, 1..distortions seeded distortions. Views the cache lacks run
// through the frozen layers once (forward only) and are stored.
CutActivations cache_activations(const Model& lower, const std::vector<std::filesystem::path>& images,
                                 const ExtractOptions& options, ExtractStats* stats = nullptr);

}  // namespace blastscan
