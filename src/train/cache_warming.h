// `train --cache-only [--shard I/N]`: the feature pass of a train run, over part I of N of its
// images, and nothing else. N processes (a Slurm job array) fill one shared bottleneck cache;
// a train job with the same data and settings then finds every feature there and runs warm.
// Safe with many writers on one file system: entries are content-addressed (the same key is
// the same bytes, whoever computes it) and each is written to a temporary name, then renamed.
//
// Left out on purpose: fine-tuning's activation cache (its entries are large and per cut;
// --cache-only refuses --fine-tune-from).
#pragma once
#include <cstddef>

#include "predict/shard.h"
#include "train/train_run.h"

namespace blastscan {

struct CacheWarming {
  std::filesystem::path cache_dir;
  size_t train_images = 0, validation_images = 0;  // of this shard
  ExtractStats train, validation;
};

// The shard cuts the training images and the validation images each into N parts, so every
// task gets a share of both (training images have 1 + distortions views, validation 1).
CacheWarming warm_feature_cache(const TrainRequest& request, ShardSpec shard, const TrainProgress& progress = {});

}  // namespace blastscan
