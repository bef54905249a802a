#include "train/cache_warming.h"

#include "base/error.h"
#include "train/bottleneck_cache.h"

namespace blastscan {

namespace {

std::vector<std::filesystem::path> shard_of(const Dataset& split, ShardSpec shard) {
  const auto [begin, end] = shard_range(split.samples.size(), shard);
  std::vector<std::filesystem::path> paths;
  for (size_t i = begin; i < end; ++i) paths.push_back(split.samples[i].path);
  return paths;
}

}  // namespace

CacheWarming warm_feature_cache(const TrainRequest& r, ShardSpec shard, const TrainProgress& progress) {
  const TrainConfig& config = r.config;
  if (!config.fine_tune_from.empty())
    throw InputError("--cache-only: fine-tuning caches activations at its cut, not features; drop --fine-tune-from");
  const Model model = training_backbone(r);
  const Dataset dataset = load_training_split(r.data, config, r.threads, progress);
  const auto train = shard_of(select_split(dataset, kTrain), shard), val = shard_of(select_split(dataset, kValidation), shard);
  CacheWarming warming{r.cache_dir.empty() ? default_cache_dir() : r.cache_dir, train.size(), val.size(), {}, {}};
  ExtractOptions extract{.cache_dir = r.cache_dir, .threads = r.threads, .precision = r.precision,
                         .distortions = config.distortions, .seed = config.seed, .progress = progress.on_progress};
  if (!train.empty()) extract_features(model, train, extract, &warming.train);
  extract.distortions = 0;  // as train does: validation images are seen clean only
  if (!val.empty()) extract_features(model, val, extract, &warming.validation);
  return warming;
}

}  // namespace blastscan
