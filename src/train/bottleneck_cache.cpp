#include "train/bottleneck_cache.h"

#include <cstdlib>
#include <cstring>

#include "base/file_io.h"
#include "base/hash.h"
#include "formats/crc32c.h"

namespace blastscan {

namespace {

// Entry layout: "BSBN" | uint32 version | uint32 C | uint32 masked CRC-32C of the floats | C floats.
constexpr char kMagic[4] = {'B', 'S', 'B', 'N'};
constexpr uint32_t kVersion = 1;
constexpr size_t kHeader = 16;

std::span<const uint8_t> bytes_of(const std::vector<float>& v) {
  return {reinterpret_cast<const uint8_t*>(v.data()), v.size() * sizeof(float)};
}

}  // namespace

std::string backbone_id(const Model& model, int image_size) {
  std::string text = "endpoint=" + model.endpoint + ";preprocessing=" + model.preprocessing +
                     ";size=" + std::to_string(image_size) + ";";
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

BottleneckCache::BottleneckCache(const std::filesystem::path& root, const std::string& backbone_id, int C)
    : dir_(root / backbone_id), C_(C) {}

std::string BottleneckCache::entry_key(const std::string& image_sha256, const std::string& view) {
  return sha256_hex(image_sha256 + "|" + view);
}

std::filesystem::path BottleneckCache::entry_path(const std::string& key) const {
  return dir_ / key.substr(0, 2) / (key + ".bin");
}

std::optional<std::vector<float>> BottleneckCache::load(const std::string& key) const {
  std::error_code ec;
  const auto path = entry_path(key);
  const size_t expected = kHeader + size_t(C_) * sizeof(float);
  if (std::filesystem::file_size(path, ec) != expected || ec) return std::nullopt;
  std::vector<uint8_t> bytes;
  try {
    bytes = read_file(path, expected);
  } catch (const std::exception&) {
    return std::nullopt;  // vanished or unreadable: recompute
  }
  uint32_t version, C, crc;
  std::memcpy(&version, bytes.data() + 4, 4);
  std::memcpy(&C, bytes.data() + 8, 4);
  std::memcpy(&crc, bytes.data() + 12, 4);
  const std::span<const uint8_t> payload(bytes.data() + kHeader, bytes.size() - kHeader);
  if (std::memcmp(bytes.data(), kMagic, 4) != 0 || version != kVersion || C != uint32_t(C_) ||
      crc != mask_crc32c(crc32c(payload)))
    return std::nullopt;
  std::vector<float> features(static_cast<size_t>(C_));
  std::memcpy(features.data(), payload.data(), payload.size());
  return features;
}

void BottleneckCache::store(const std::string& key, const float* features) const {
  std::vector<uint8_t> bytes(kHeader + size_t(C_) * sizeof(float));
  const std::span<const uint8_t> payload(reinterpret_cast<const uint8_t*>(features), size_t(C_) * sizeof(float));
  const uint32_t C = uint32_t(C_), crc = mask_crc32c(crc32c(payload));
  std::memcpy(bytes.data(), kMagic, 4);
  std::memcpy(bytes.data() + 4, &kVersion, 4);
  std::memcpy(bytes.data() + 8, &C, 4);
  std::memcpy(bytes.data() + 12, &crc, 4);
  std::memcpy(bytes.data() + kHeader, payload.data(), payload.size());
  write_file_atomic(entry_path(key), bytes);
}

}  // namespace blastscan
