#include "train/checkpoint.h"

#include <cstring>

#include "base/error.h"
#include "base/file_io.h"
#include "base/hash.h"

namespace blastscan {

using nlohmann::json;

namespace {

constexpr int kFormatVersion = 1;

json floats_to_binary(const std::vector<float>& values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(float));
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return json::binary(std::move(bytes));
}

std::vector<float> binary_to_floats(const json& value, size_t expected, const std::string& what) {
  const auto& bytes = value.get_binary();
  if (bytes.size() != expected * sizeof(float))
    throw InputError(what + ": " + std::to_string(bytes.size()) + " bytes, expected " +
                     std::to_string(expected * sizeof(float)));
  std::vector<float> values(expected);
  std::memcpy(values.data(), bytes.data(), bytes.size());
  return values;
}

}  // namespace

void save_checkpoint(const Checkpoint& c, const std::filesystem::path& path) {
  const TrainingState& s = c.state;
  json history = json::array();
  for (const auto& m : s.history) history.push_back(epoch_to_json(m));
  json payload = {{"version", kFormatVersion},
                        {"config", to_json(c.config)},
                        {"data_fingerprint", c.data_fingerprint},
                        {"C", s.net.C},
                        {"K", s.net.K},
                        {"params", floats_to_binary(s.net.params)},
                        {"adam_m", floats_to_binary(s.adam.m)},
                        {"adam_v", floats_to_binary(s.adam.v)},
                        {"adam_t", s.adam.t},
                        {"history", history},
                        {"best_params", floats_to_binary(s.best_params)},
                        {"best_epoch", s.best_epoch}};
  if (!s.backbone_params.empty())  // fine-tuning: the trainable blocks too
    payload["backbone"] = {{"params", floats_to_binary(s.backbone_params)},
                           {"best_params", floats_to_binary(s.backbone_best_params)},
                           {"adam_m", floats_to_binary(s.backbone_adam.m)},
                           {"adam_v", floats_to_binary(s.backbone_adam.v)},
                           {"adam_t", s.backbone_adam.t}};
  const std::vector<uint8_t> bytes = json::to_cbor(payload);
  write_file_atomic(path, json::to_cbor(json{{"sha256", sha256_hex(bytes)}, {"payload", json::binary(bytes)}}));
}

Checkpoint load_checkpoint(const std::filesystem::path& path) {
  const std::string name = path.string();
  const std::vector<uint8_t> file = read_file(path);
  const json outer = json::from_cbor(file, /*strict=*/true, /*allow_exceptions=*/false);
  if (outer.is_discarded() || !outer.is_object() || !outer.contains("payload") || !outer["payload"].is_binary() ||
      !outer.contains("sha256"))
    throw InputError(name + ": not a blastscan checkpoint (corrupt or truncated)");
  const auto& bytes = outer["payload"].get_binary();
  if (sha256_hex(std::span<const uint8_t>(bytes.data(), bytes.size())) != outer["sha256"])
    throw InputError(name + ": checksum mismatch, the checkpoint is corrupt");
  const json p = json::from_cbor(bytes, true, false);
  if (p.is_discarded() || p.value("version", 0) != kFormatVersion)
    throw InputError(name + ": unsupported checkpoint format version");
  try {
    Checkpoint c;
    c.config = parse_train_config(p.at("config"), name);
    c.data_fingerprint = p.at("data_fingerprint");
    const int C = p.at("C"), K = p.at("K");
    if (C < 1 || C > 65536 || K < 1 || K > 65536) throw InputError(name + ": implausible head size");
    TrainingState& s = c.state;
    s = start_training(C, K, c.config);
    const size_t n = s.net.params.size();
    s.net.params = binary_to_floats(p.at("params"), n, name + ": params");
    s.adam.m = binary_to_floats(p.at("adam_m"), n, name + ": adam_m");
    s.adam.v = binary_to_floats(p.at("adam_v"), n, name + ": adam_v");
    s.adam.t = p.at("adam_t");
    for (const auto& m : p.at("history")) s.history.push_back(epoch_from_json(m, name));
    s.best_params = binary_to_floats(p.at("best_params"), n, name + ": best_params");
    s.best_epoch = p.at("best_epoch");
    if (p.contains("backbone")) {
      const json& b = p.at("backbone");
      const size_t nb = b.at("params").get_binary().size() / sizeof(float);
      if (nb > (size_t(1) << 28)) throw InputError(name + ": implausible backbone size");
      s.backbone_params = binary_to_floats(b.at("params"), nb, name + ": backbone params");
      s.backbone_best_params = binary_to_floats(b.at("best_params"), nb, name + ": backbone best_params");
      s.backbone_adam.m = binary_to_floats(b.at("adam_m"), nb, name + ": backbone adam_m");
      s.backbone_adam.v = binary_to_floats(b.at("adam_v"), nb, name + ": backbone adam_v");
      s.backbone_adam.t = b.at("adam_t");
    }
    return c;
  } catch (const json::exception& e) {
    throw InputError(name + ": malformed checkpoint: " + e.what());
  }
}

}  // namespace blastscan
