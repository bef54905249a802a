// Bottleneck features on disk, so the backbone runs once per image view, ever: a later train
// run, another head, or `evaluate` reads them back. One small file per (image, view) under
//   CACHE/<backbone id>/<ab>/<entry key>.bin
// where the backbone id hashes the backbone's weights (not its file: a trained model.pb holds
// the same backbone as the ImageNet .pb and shares its cache), its end point, the
// preprocessing and the input size, and the entry key hashes the image's bytes and the view
// ("eval", or the distortion seed and index). Each file carries a CRC-32C of its floats: a
// truncated or corrupted entry is reported as missing, recomputed and rewritten, never trusted.
// Fine-tuning caches the activations at its cut the same way, as fp16 (a Mixed_6e activation
// is 17x17x768 values: 444 KB per view instead of 888 KB), under CACHE/activations/.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "inception/network.h"

namespace blastscan {

// Identifies what a feature vector depends on besides the image. image_size: network input side.
std::string backbone_id(const Model& model, int image_size, Precision precision = Precision::f32);

// The default cache folder: $BLASTSCAN_CACHE, else $XDG_CACHE_HOME/blastscan/bottlenecks, else
// ~/.cache/blastscan/bottlenecks.
std::filesystem::path default_cache_dir();

// Where fine-tuning keeps activations at a cut: beside the bottleneck entries.
std::filesystem::path activation_cache_dir(const std::filesystem::path& bottleneck_root);

enum class StoredAs { f32, f16 };

class BottleneckCache {
 public:
  // C: values per entry; every entry must have it. f16 halves the disk (values are rounded).
  BottleneckCache(const std::filesystem::path& root, const std::string& backbone_id, int64_t C,
                  StoredAs stored = StoredAs::f32);

  static std::string entry_key(const std::string& image_sha256, const std::string& view);
  // The stored features, or nothing when absent, truncated or corrupt.
  std::optional<std::vector<float>> load(const std::string& key) const;
  bool load(const std::string& key, float* features) const;  // false: absent, truncated or corrupt
  // Written atomically.
  void store(const std::string& key, const float* features) const;
  std::filesystem::path entry_path(const std::string& key) const;
  int64_t feature_dim() const { return C_; }

 private:
  std::filesystem::path dir_;
  int64_t C_;
  StoredAs stored_;
};

}  // namespace blastscan
