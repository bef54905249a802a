#include "predict/shard.h"

#include <charconv>
#include <map>

#include "base/error.h"
#include "base/file_io.h"
#include "base/float_text.h"
#include "base/hash.h"
#include "base/json_number.h"
#include "base/safe_text.h"

namespace blastscan {

namespace {

constexpr std::string_view kFormat = "blastscan-shard";
constexpr int kVersion = 1;

int parse_count(std::string_view text, const char* fallback, const char* what, const char* variable) {
  std::string_view digits = text;
  if (digits.empty()) {
    if (!fallback) throw InputError(std::string("--shard: ") + what + " is empty and $" + variable + " is not set");
    digits = fallback;
  }
  int value = -1;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || value < 0)
    throw InputError("--shard: " + std::string(what) + " '" + std::string(digits) + "' is not a whole number");
  return value;
}

Model classes_only(const std::vector<std::string>& classes) {
  Model model;
  model.classes = classes;
  return model;
}

}  // namespace

ShardSpec parse_shard_spec(std::string_view text, const char* default_index, const char* default_count) {
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos)
    throw InputError("--shard '" + std::string(text) + "': expected I/N (e.g. 3/8, or /8 for $SLURM_ARRAY_TASK_ID of 8)");
  ShardSpec spec;
  spec.index = parse_count(text.substr(0, slash), default_index, "I", "SLURM_ARRAY_TASK_ID");
  spec.count = parse_count(text.substr(slash + 1), default_count, "N", "SLURM_ARRAY_TASK_COUNT");
  if (spec.count < 1) throw InputError("--shard " + spec.text() + ": N must be at least 1");
  if (spec.index >= spec.count)
    throw InputError("--shard " + spec.text() + ": I must be 0.." + std::to_string(spec.count - 1) +
                     " (Slurm array indices start at 0: --array=0-" + std::to_string(spec.count - 1) + ")");
  return spec;
}

std::pair<size_t, size_t> shard_range(size_t size, ShardSpec shard) {
  const auto at = [&](size_t i) { return size * i / size_t(shard.count); };
  return {at(size_t(shard.index)), at(size_t(shard.index) + 1)};
}

std::string input_list_sha256(const std::vector<std::filesystem::path>& files) {
  // Hashed as JSON text, the form the paths have in a shard file's rows: a path that is not
  // UTF-8 comes back from a shard file with U+FFFD in it and must still hash the same.
  nlohmann::json list = nlohmann::json::array();
  for (const auto& f : files) list.push_back(f.string());
  return sha256_hex(json_text(list));
}

std::string classify_settings(float threshold, const ClassifyOptions& o) {
  const TilingOptions& t = o.tile;
  const char* tiling = o.tiling == Tiling::always ? "always" : o.tiling == Tiling::never ? "never" : "automatic";
  return json_text(nlohmann::json{{"threshold", as_written(threshold)},
                                  {"tiling", tiling},
                                  {"tile", t.size},
                                  {"stride", t.stride},
                                  {"min_all_tiles", t.min_all_tiles},
                                  {"background", {t.background.darker_by, t.background.min_stained_fraction}},
                                  {"level", o.level.level},
                                  {"pixel_size_um", o.level.pixel_size_um}});
}

bool ShardHeader::same_job(const ShardHeader& other) const {
  return model_sha256 == other.model_sha256 && inputs_sha256 == other.inputs_sha256 && settings == other.settings &&
         shard.count == other.shard.count && total_inputs == other.total_inputs;
}

std::string shard_file_text(const ShardFile& shard) {
  const auto& h = shard.header;
  const Model model = classes_only(h.classes);
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& r : shard.results) rows.push_back(result_to_json(r, model));
  const nlohmann::json header = {{"format", kFormat},          {"version", kVersion},
                                 {"index", h.shard.index},     {"count", h.shard.count},
                                 {"model_sha256", h.model_sha256}, {"inputs_sha256", h.inputs_sha256},
                                 {"total_inputs", h.total_inputs}, {"settings", h.settings},
                                 {"classes", h.classes}};
  return json_text(nlohmann::json{{"shard", header}, {"images", rows}}, 1) + "\n";
}

ShardFile parse_shard_file(const std::string& text, const std::string& origin) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception&) {
    throw InputError(origin + ": not a shard file (not JSON; written by classify --shard I/N --out FILE)");
  }
  if (!j.is_object() || !j.contains("shard") || !j["shard"].is_object() || j["shard"].value("format", "") != kFormat)
    throw InputError(origin + ": not a shard file (no \"shard\" header; written by classify --shard I/N --out FILE)");
  try {
    const auto& h = j.at("shard");
    if (json_number<int>(h.at("version")) != kVersion)
      throw InputError(origin + ": shard file version " + h.at("version").dump() + ", expected " + std::to_string(kVersion));
    ShardFile shard;
    shard.header.shard = {json_number<int>(h.at("index")), json_number<int>(h.at("count"))};
    shard.header.model_sha256 = h.at("model_sha256").get<std::string>();
    shard.header.inputs_sha256 = h.at("inputs_sha256").get<std::string>();
    shard.header.total_inputs = json_number<size_t>(h.at("total_inputs"));
    shard.header.settings = h.at("settings").get<std::string>();
    shard.header.classes = h.at("classes").get<std::vector<std::string>>();
    const auto [index, count] = shard.header.shard;
    if (count < 1 || index < 0 || index >= count)
      throw InputError(origin + ": shard " + shard.header.shard.text() + " is out of range");
    const Model model = classes_only(shard.header.classes);
    for (const auto& row : j.at("images")) shard.results.push_back(result_from_json(row, model));
    const auto [begin, end] = shard_range(shard.header.total_inputs, shard.header.shard);
    if (shard.results.size() != end - begin)
      throw InputError(origin + ": shard " + shard.header.shard.text() + " has " + std::to_string(shard.results.size()) +
                       " rows, expected " + std::to_string(end - begin) + " of " +
                       std::to_string(shard.header.total_inputs));
    return shard;
  } catch (const nlohmann::json::exception& e) {
    throw InputError(origin + ": damaged shard file: " + e.what());
  } catch (const InputError& e) {
    const std::string what = e.what();
    throw InputError(what.rfind(origin, 0) == 0 ? what : origin + ": " + what);
  }
}

std::optional<ShardFile> completed_shard(const std::filesystem::path& path, const ShardHeader& expected) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::nullopt;
  try {
    ShardFile shard = parse_shard_file(read_text_file(path), path.string());
    if (shard.header.same_job(expected) && shard.header.shard.index == expected.shard.index) return shard;
  } catch (const InputError&) {
  }
  return std::nullopt;  // damaged or another job's: to be redone
}

MergedShards merge_shards(const std::vector<std::filesystem::path>& shard_files) {
  if (shard_files.empty()) throw InputError("merge: no shard files given");
  std::map<int, std::pair<std::filesystem::path, ShardFile>> by_index;
  const ShardHeader* first = nullptr;
  std::string first_name;
  for (const auto& path : shard_files) {
    ShardFile shard = parse_shard_file(read_text_file(path), path.string());
    const int index = shard.header.shard.index;
    if (first && !first->same_job(shard.header)) {
      const auto& h = shard.header;
      std::string why = h.model_sha256 != first->model_sha256   ? "another model"
                        : h.inputs_sha256 != first->inputs_sha256 ? "another input list"
                        : h.settings != first->settings           ? "other classify settings: " + h.settings
                        : h.shard.count != first->shard.count     ? "N = " + std::to_string(h.shard.count) + ", not " +
                                                                    std::to_string(first->shard.count)
                                                                  : "another input count";
      throw InputError(path.string() + ": foreign shard (" + why + " than " + first_name + ")");
    }
    if (const auto it = by_index.find(index); it != by_index.end())
      throw InputError(path.string() + ": duplicate shard " + shard.header.shard.text() + " (also " +
                       it->second.first.string() + ")");
    const auto [it, inserted] = by_index.emplace(index, std::make_pair(path, std::move(shard)));
    if (!first) {
      first = &it->second.second.header;
      first_name = path.string();
    }
  }
  const int count = first->shard.count;
  std::string missing;
  for (int i = 0; i < count; ++i)
    if (!by_index.count(i)) missing += (missing.empty() ? "" : ",") + std::to_string(i);
  if (!missing.empty())
    throw InputError("merge: shard" + std::string(missing.find(',') == std::string::npos ? " " : "s ") + missing +
                     " of " + std::to_string(count) + " missing (resubmit: sbatch --array=" + missing + " ...)");
  MergedShards merged{*first, {}};
  merged.header.shard.index = 0;
  std::vector<std::filesystem::path> paths;
  for (auto& [index, entry] : by_index)
    for (auto& r : entry.second.results) {
      paths.push_back(r.path);
      merged.results.push_back(std::move(r));
    }
  // Each shard held the right number of rows; this checks they are the right rows, in order.
  if (input_list_sha256(paths) != first->inputs_sha256)
    throw InputError("merge: the shards' rows are not the input list their headers name (edited shard files?)");
  return merged;
}

}  // namespace blastscan
