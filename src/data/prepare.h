// The steps of `blastscan prepare` after scanning: check every image (decode it, hash its
// bytes), drop exact duplicates, group and split them (prepare_dataset: the one pipeline that
// `prepare` and `train` on a folder both run), and write TFRecord shards of the split. The
// group rules and the split itself are in split.h, the manifest in manifest.h.
#pragma once
#include <string>
#include <vector>

#include "base/progress.h"
#include "data/dataset.h"

namespace blastscan {

struct Duplicate {
  fs::path kept, dropped;
};

struct SplitSettings {
  std::string group_by = "none";  // parse_group_by's syntax
  double validation = 0.3;        // fraction of each class
  unsigned seed = 50;
};

// verify_images, drop_duplicates, assign_groups, split_dataset, in that order. The group rule
// is parsed first, so a bad one fails before any image is read. Returns the duplicates dropped
// (each also in Dataset::skipped, beside the unreadable files).
std::vector<Duplicate> prepare_dataset(Dataset& dataset, const SplitSettings& split, int threads = 0,
                                       const ProgressFn& progress = {});

// Reads, hashes (SHA-256) and decodes every sample on `threads` threads (0 = all cores).
// Samples that cannot be read or decoded move to Dataset::skipped with the reason; a class left
// with no images is an InputError. Reports each image checked to `progress`.
void verify_images(Dataset& dataset, int threads = 0, const ProgressFn& progress = {});

// Removes samples whose bytes equal an earlier sample's (by hash; samples are in path order, so
// the first by path is kept), records each in Dataset::skipped, and returns them.
std::vector<Duplicate> drop_duplicates(Dataset& dataset);

// Before a run writes into DIR: removes what a previous run left there (manifest.json,
// manifest.csv, labels.txt, every <name>_<split>_NNNNN-of-NNNNN.tfrecord, and the temporaries
// of all these that a killed run left), so that a run killed half-way leaves a folder without a
// manifest (which nothing takes for a prepared dataset) rather than an old manifest beside new
// shards, fewer shards than last time leave no stale ones, and a finished run leaves the folder
// an undisturbed run leaves. The manifest is written last.
void clear_prepared_outputs(const fs::path& dir);

// Writes DIR/<name>_<split>_0000i-of-0000n.tfrecord for the train and validation splits, as
// TF-Slim's converters name them: images shuffled with `seed` and dealt into `shards` contiguous
// runs, one tf.Example each (image/encoded, image/format, image/class/label, image/height,
// image/width). Each shard is written atomically. Returns the paths written.
std::vector<fs::path> write_tfrecord_shards(const Dataset& dataset, const fs::path& dir, const std::string& name,
                                            int shards, unsigned seed, const ProgressFn& progress = {});

}  // namespace blastscan
