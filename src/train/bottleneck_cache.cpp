#include "train/bottleneck_cache.h"

#include <cstdlib>
#include <cstring>

#include <opencv2/core.hpp>

#include "base/file_io.h"
#include "base/hash.h"
#include "formats/crc32c.h"

namespace blastscan {

namespace {

// Entry layout: magic | uint32 version | uint32 C | uint32 masked CRC-32C of the values | C values,
// magic "BSBN" for float32 values, "BSBH" for float16.
constexpr char kMagic[4] = {'B', 'S', 'B', 'N'};
constexpr char kMagicHalf[4] = {'B', 'S', 'B', 'H'};
constexpr uint32_t kVersion = 1;
constexpr size_t kHeader = 16;

size_t value_bytes(StoredAs stored) { return stored == StoredAs::f16 ? 2 : 4; }

std::span<const uint8_t> bytes_of(const std::vector<float>& v) {
  return {reinterpret_cast<const uint8_t*>(v.data()), v.size() * sizeof(float)};
}

}  // namespace

std::string backbone_id(const Model& model, int image_size, Precision precision) {
  std::string text = "endpoint=" + model.endpoint + ";preprocessing=" + model.preprocessing +
                     ";size=" + std::to_string(image_size) + ";";
  // fp32 keeps the keys it always had; bf16/int8 features differ from fp32's, int8's also by calibration.
  if (precision != Precision::f32) text += "precision=" + to_string(precision) + ";";
  if (precision == Precision::int8)
    for (const auto& [name, max] : model.activation_max) text += name + "<=" + std::to_string(max) + ";";
  for (const auto& [name, conv] : model.convs) {  // std::map: a fixed order
    text += name + ":" + to_string(conv.weights.shape) + ";";
    text += sha256_hex(bytes_of(conv.weights.data)) + sha256_hex(bytes_of(conv.bias.data));
  }
  return sha256_hex(text).substr(0, 24);
}

std::filesystem::path default_cache_dir() {
  if (const char* dir = std::getenv("BLASTSCAN_CACHE"); dir && *dir) return dir;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return std::filesystem::path(xdg) / "blastscan" / "bottlenecks";
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::filesystem::path(home) / ".cache" / "blastscan" / "bottlenecks";
  return std::filesystem::temp_directory_path() / "blastscan-bottlenecks";
}

std::filesystem::path activation_cache_dir(const std::filesystem::path& bottleneck_root) {
  return bottleneck_root / "activations";
}

BottleneckCache::BottleneckCache(const std::filesystem::path& root, const std::string& backbone_id, int64_t C,
                                 StoredAs stored)
    : dir_(root / backbone_id), C_(C), stored_(stored) {}

std::string BottleneckCache::entry_key(const std::string& image_sha256, const std::string& view) {
  return sha256_hex(image_sha256 + "|" + view);
}

std::filesystem::path BottleneckCache::entry_path(const std::string& key) const {
  return dir_ / key.substr(0, 2) / (key + ".bin");
}

std::optional<std::vector<float>> BottleneckCache::load(const std::string& key) const {
  std::vector<float> features(static_cast<size_t>(C_));
  if (!load(key, features.data())) return std::nullopt;
  return features;
}

bool BottleneckCache::load(const std::string& key, float* features) const {
  std::error_code ec;
  const auto path = entry_path(key);
  const size_t expected = kHeader + size_t(C_) * value_bytes(stored_);
  if (std::filesystem::file_size(path, ec) != expected || ec) return false;
  std::vector<uint8_t> bytes;
  try {
    bytes = read_file(path, expected);
  } catch (const std::exception&) {
    return false;  // vanished or unreadable: recompute
  }
  uint32_t version, C, crc;
  std::memcpy(&version, bytes.data() + 4, 4);
  std::memcpy(&C, bytes.data() + 8, 4);
  std::memcpy(&crc, bytes.data() + 12, 4);
  const std::span<const uint8_t> payload(bytes.data() + kHeader, bytes.size() - kHeader);
  const char* magic = stored_ == StoredAs::f16 ? kMagicHalf : kMagic;
  if (std::memcmp(bytes.data(), magic, 4) != 0 || version != kVersion || C != uint32_t(C_) ||
      crc != mask_crc32c(crc32c(payload)))
    return false;
  if (stored_ == StoredAs::f32) {
    std::memcpy(features, payload.data(), payload.size());
  } else {
    const cv::Mat half(1, int(C_), CV_16F, const_cast<uint8_t*>(payload.data()));
    cv::Mat full(1, int(C_), CV_32F, features);
    half.convertTo(full, CV_32F);
  }
  return true;
}

void BottleneckCache::store(const std::string& key, const float* features) const {
  const size_t n = value_bytes(stored_) * size_t(C_);
  std::vector<uint8_t> bytes(kHeader + n);
  if (stored_ == StoredAs::f32) {
    std::memcpy(bytes.data() + kHeader, features, n);
  } else {
    const cv::Mat full(1, int(C_), CV_32F, const_cast<float*>(features));
    cv::Mat half(1, int(C_), CV_16F, bytes.data() + kHeader);
    full.convertTo(half, CV_16F);
  }
  const std::span<const uint8_t> payload(bytes.data() + kHeader, n);
  const uint32_t C = uint32_t(C_), crc = mask_crc32c(crc32c(payload));
  std::memcpy(bytes.data(), stored_ == StoredAs::f16 ? kMagicHalf : kMagic, 4);
  std::memcpy(bytes.data() + 4, &kVersion, 4);
  std::memcpy(bytes.data() + 8, &C, 4);
  std::memcpy(bytes.data() + 12, &crc, 4);
  write_file_atomic(entry_path(key), bytes);
}

}  // namespace blastscan
