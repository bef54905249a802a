#include "data/prepare.h"

#include <cstdio>
#include <map>
#include <regex>

#include "base/error.h"
#include "base/file_io.h"
#include "base/hash.h"
#include "base/progress.h"
#include "base/rng.h"
#include "data/image.h"
#include "data/image_header.h"
#include "data/parallel.h"
#include "data/split.h"
#include "formats/tf_example.h"
#include "formats/tfrecord.h"

namespace blastscan {

void verify_images(Dataset& dataset, int threads, const ProgressFn& on_progress) {
  std::vector<std::string> problems(dataset.samples.size());
  ProgressCounter progress(on_progress, "checking images", dataset.samples.size());
  parallel_for(
      dataset.samples.size(), threads,
      [&](size_t i) {
        Sample& s = dataset.samples[i];
        try {
          const auto bytes = read_file(s.path);
          s.hash = sha256_hex(bytes);
          decode_image(bytes, s.path.string());
        } catch (const InputError& e) {
          // The message starts with the path; the manifest lists path and reason apart.
          const std::string what = e.what(), prefix = s.path.string() + ": ";
          problems[i] = what.starts_with(prefix) ? what.substr(prefix.size()) : what;
        }
      },
      [&] { progress.advance(); });
  progress.finish();

  std::vector<Sample> good;
  std::vector<size_t> per_class(dataset.classes.size(), 0);
  for (size_t i = 0; i < dataset.samples.size(); ++i) {
    if (problems[i].empty()) {
      ++per_class[dataset.samples[i].label];
      good.push_back(std::move(dataset.samples[i]));
    } else {
      dataset.skipped.push_back({dataset.samples[i].path, problems[i]});
    }
  }
  dataset.samples = std::move(good);
  for (size_t c = 0; c < per_class.size(); ++c)
    if (per_class[c] == 0) throw InputError("class " + dataset.classes[c] + ": no readable images");
}

std::vector<Duplicate> drop_duplicates(Dataset& dataset) {
  std::map<std::string, size_t> first_with_hash;
  std::vector<Duplicate> duplicates;
  std::vector<Sample> kept;
  for (auto& s : dataset.samples) {
    const auto [it, inserted] = first_with_hash.emplace(s.hash, kept.size());
    if (inserted) {
      kept.push_back(std::move(s));
      continue;
    }
    const Sample& original = kept[it->second];
    std::string reason = "exact duplicate of " + original.path.string();
    if (original.label != s.label)
      reason += " (labelled " + dataset.classes[original.label] + " there, " + dataset.classes[s.label] + " here)";
    duplicates.push_back({original.path, s.path});
    dataset.skipped.push_back({s.path, reason});
  }
  dataset.samples = std::move(kept);
  return duplicates;
}

std::vector<Duplicate> prepare_dataset(Dataset& dataset, const SplitSettings& split, int threads,
                                       const ProgressFn& progress) {
  const GroupBy group_by = parse_group_by(split.group_by);
  verify_images(dataset, threads, progress);
  auto duplicates = drop_duplicates(dataset);
  assign_groups(dataset, group_by);
  split_dataset(dataset, split.validation, split.seed);
  return duplicates;
}

void clear_prepared_outputs(const fs::path& dir) {
  static const std::regex output(R"(manifest\.json|manifest\.csv|labels\.txt|.+_(train|validation)_[0-9]{5}-of-[0-9]{5}\.tfrecord)");
  std::error_code ec;
  std::vector<fs::path> stale;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string(), temporary_of = final_name_of_temporary(name);
    if (std::regex_match(temporary_of.empty() ? name : temporary_of, output)) stale.push_back(it->path());
  }
  for (const auto& path : stale) fs::remove(path, ec);
}

std::vector<fs::path> write_tfrecord_shards(const Dataset& dataset, const fs::path& dir, const std::string& name,
                                            int shards, unsigned seed, const ProgressFn& on_progress) {
  if (shards < 1) throw InputError("--shards " + std::to_string(shards) + ": must be at least 1");
  std::vector<fs::path> written;
  std::mt19937 rng(seed);
  for (const std::string_view split : {kTrain, kValidation}) {
    std::vector<const Sample*> samples;
    for (const auto& s : dataset.samples)
      if (s.split == split) samples.push_back(&s);
    // Shuffled so that every shard mixes the classes (readers often take shards in order).
    shuffle(samples, rng);
    const size_t per_shard = (samples.size() + shards - 1) / shards;
    ProgressCounter progress(on_progress, "writing " + std::string(split) + " shards", samples.size());
    for (int shard = 0; shard < shards; ++shard) {
      char file[64];
      std::snprintf(file, sizeof file, "_%05d-of-%05d.tfrecord", shard, shards);
      const fs::path path = dir / (name + "_" + std::string(split) + file);
      TfRecordWriter writer(path);
      for (size_t i = shard * per_shard; i < std::min(samples.size(), (shard + 1) * per_shard); ++i) {
        const Sample& s = *samples[i];
        ImageExample example;
        example.encoded = read_file(s.path);
        const ImageHeader header = read_image_header(example.encoded, s.path.string());
        // TF-Slim's converters write "jpg" for JPEG; TensorFlow's decoders accept it.
        example.format = header.format == ImageFormat::jpeg ? "jpg" : format_name(header.format);
        example.label = s.label;
        example.height = header.height;
        example.width = header.width;
        writer.write(serialize_image_example(example));
        progress.advance();
      }
      writer.finish();
      written.push_back(path);
    }
  }
  return written;
}

}  // namespace blastscan
