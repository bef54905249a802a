// Sharded batch work: shard I of N is a fixed contiguous cut of an input list, so N processes
// (a Slurm job array, or any N machines) each classify their part, and `merge` joins the parts
// into exactly what one process would have printed. A shard file is the JSON rows of its part
// plus a header that ties it to one job: the model's SHA-256, the SHA-256 of the whole input
// list, the settings that shape the rows, I/N and the class names (which is all a merge needs to print the results).
//
// What is left out on purpose: scheduling. Slurm (or the user) starts the processes; a shard
// knows only which part is its own.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "predict/results.h"

namespace blastscan {

struct ShardSpec {
  int index = 0;  // I, 0-based
  int count = 1;  // N
  std::string text() const { return std::to_string(index) + "/" + std::to_string(count); }
};

// "I/N". An empty I or N is taken from default_index / default_count (the CLI passes
// $SLURM_ARRAY_TASK_ID and $SLURM_ARRAY_TASK_COUNT; nullptr when unset), so "/8" in an array
// job means "my task id, of 8". Throws InputError for anything else or for I outside 0..N-1.
ShardSpec parse_shard_spec(std::string_view text, const char* default_index, const char* default_count);

// The half-open range [begin, end) of a list of `size` items that shard I/N covers: shards
// differ in size by at most one item and cover the list exactly once, in order.
std::pair<size_t, size_t> shard_range(size_t size, ShardSpec shard);

// SHA-256 of the paths in order: two shards belong to one job only if they were cut from the
// same list.
std::string input_list_sha256(const std::vector<std::filesystem::path>& files);

struct ShardHeader {
  ShardSpec shard;
  std::string model_sha256;   // of the model file's bytes
  std::string inputs_sha256;  // input_list_sha256 of the whole list
  size_t total_inputs = 0;    // images in the whole list
  std::string settings;       // what else shapes the rows (threshold, tiling): classify_settings()
  std::vector<std::string> classes;
  // True when `other` comes from the same job (model, input list, settings, N), whatever its
  // index. (The model's hash fixes its classes.)
  bool same_job(const ShardHeader& other) const;
};

struct ShardFile {
  ShardHeader header;
  std::vector<ImageResult> results;  // this shard's rows, in list order
};

// The classify settings that change result rows, as text: shards made with another threshold or
// tiling do not belong together.
std::string classify_settings(float threshold, const ClassifyOptions& options);

// A shard file's text (JSON) and back. parse_shard_file names `origin` (the file) and the
// problem when the text is not a complete shard file.
std::string shard_file_text(const ShardFile& shard);
ShardFile parse_shard_file(const std::string& text, const std::string& origin);

// The shard file at path if it exists and is complete and of this job and index, else nothing:
// a re-run of an array skips the shards that are already done.
std::optional<ShardFile> completed_shard(const std::filesystem::path& path, const ShardHeader& expected);

// Joins shard files (any order) into the results one run over the whole list would have
// given. Throws InputError naming the file when a shard is missing, duplicated, foreign
// (another model, input list or N), or does not hold exactly its part of the list.
struct MergedShards {
  ShardHeader header;  // of shard 0, index aside
  std::vector<ImageResult> results;
};
MergedShards merge_shards(const std::vector<std::filesystem::path>& shard_files);

}  // namespace blastscan
