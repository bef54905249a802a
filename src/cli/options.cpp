#include "cli/options.h"

#include <cstdio>
#include <cstdlib>

#include "predict/results.h"

namespace blastscan::cli {

std::string shared_path(const std::string& relative) {
  const char* env = std::getenv("BLASTSCAN_SHARED");
  return (env ? std::string(env) : std::string("../shared")) + "/" + relative;
}

void add_model_option(CLI::App* cmd, std::string& model, bool required) {
  auto* opt = cmd->add_option("--model,-m", model, "frozen model (.pb)");
  if (required) opt->required();
}

void add_threads_option(CLI::App* cmd, int& threads) {
  cmd->add_option("--threads,-t", threads, "compute threads (0 = all cores)")->check(CLI::Range(0, 1024));
}

void add_threshold_option(CLI::App* cmd, float& threshold) {
  cmd->add_option("--threshold", threshold, "confidence below this is flagged LOW")
      ->check(CLI::Range(0.0f, 1.0f))
      ->capture_default_str();
}

void add_seed_option(CLI::App* cmd, unsigned& seed) {
  cmd->add_option("--seed", seed, "random seed")->capture_default_str();
}

void add_format_option(CLI::App* cmd, std::string& format) {
  cmd->add_option("--format", format, "output format")
      ->check(CLI::IsMember({"table", "json", "csv"}))
      ->capture_default_str();
}

void add_batch_option(CLI::App* cmd, int& batch) {
  cmd->add_option("--batch", batch, "images per network run")->check(CLI::Range(1, 256))->capture_default_str();
}

void add_endpoint_option(CLI::App* cmd, std::string& endpoint) {
  cmd->add_option("--endpoint", endpoint, "backbone end point (Conv2d_1a_3x3 ... Mixed_7c) or auto")
      ->capture_default_str();
}

void add_data_option(CLI::App* cmd, std::string& data) {
  cmd->add_option("--data,-d", data, "dataset folder, manifest (.json/.csv), or a folder with manifest.json")
      ->required();
}

void add_positive_option(CLI::App* cmd, std::vector<std::string>& positive) {
  cmd->add_option("--positive", positive,
                  "classes that mean ALL, comma-separated (default: every class except one named like "
                  "benign/healthy/normal/negative/0)")
      ->delimiter(',');
}

void add_cache_option(CLI::App* cmd, std::string& cache_dir) {
  cmd->add_option("--cache", cache_dir,
                  "bottleneck feature cache folder (default: $BLASTSCAN_CACHE or ~/.cache/blastscan/bottlenecks)");
}

void add_validation_option(CLI::App* cmd, double& validation) {
  cmd->add_option("--val", validation, "validation fraction")->check(CLI::Range(0.0, 1.0))->capture_default_str();
}

void add_group_by_option(CLI::App* cmd, std::string& group_by) {
  cmd->add_option("--group-by", group_by, "keep groups on one side of the split: none, blocks:N, regex:PATTERN")
      ->capture_default_str();
}

void add_shard_option(CLI::App* cmd, std::string& shard, const std::string& what_it_writes) {
  cmd->add_option("--shard", shard,
                  "work on part I of N (0-based) of the input list and " + what_it_writes +
                      "; an empty I or N is $SLURM_ARRAY_TASK_ID or $SLURM_ARRAY_TASK_COUNT (--shard /8)");
}

void add_out_file_option(CLI::App* cmd, std::string& out_file) {
  cmd->add_option("--out,-o", out_file, "write to FILE (atomically: complete or not there) instead of stdout");
}

void add_precision_option(CLI::App* cmd, std::string& precision) {
  cmd->add_option("--precision", precision,
                  "network precision: fp32, bf16 (CPUs with AVX512-BF16 or AMX) or int8 (a model calibrated by "
                  "`blastscan quantize`)")
      ->check(CLI::IsMember({"fp32", "bf16", "int8"}))
      ->capture_default_str();
}

Precision choose_precision(const std::string& name) {
  const Precision p = parse_precision(name);
  if (precision_supported(p)) return p;
  std::fprintf(stderr, "blastscan: %s needs a CPU with avx512_core_bf16 or AMX (oneDNN sees %s); running fp32\n",
               name.c_str(), cpu_isa_description().c_str());
  return Precision::f32;
}

}  // namespace blastscan::cli

namespace blastscan::cli {

void add_tiling_options(CLI::App* cmd, ClassifyOptions& options) {
  auto* tile = cmd->add_option_function<int>(
                      "--tile",
                      [&options](int size) {
                        options.tile.size = size;
                        options.tiling = Tiling::always;
                      },
                      "scan every image in tiles of SIZE pixels (default: only images more than twice the "
                      "network input on a side, and slide files, in tiles of 299)")
                    ->check(CLI::Range(16, 8192));
  cmd->add_flag_callback("--no-tile", [&options] { options.tiling = Tiling::never; },
                         "classify every image whole, however large (slide files cannot be)")
      ->excludes(tile);
  cmd->add_option("--stride", options.tile.stride, "pixels between tiles (default: the tile size, no overlap)")
      ->check(CLI::Range(1, 8192));
  cmd->add_option("--tile-batch", options.tile.batch, "tiles read and classified together")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  cmd->add_option("--min-all-tiles", options.tile.min_all_tiles,
                  "a slide is ALL when at least this many tiles have ALL probability >= --threshold")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  cmd->add_option("--level", options.level.level, "slide file level to read (0 = full resolution; default: see --pixel-size)")
      ->check(CLI::Range(0, 64));
  cmd->add_option("--pixel-size", options.level.pixel_size_um,
                  "microns per pixel of the training images: read the slide level closest to it (default: level 0)")
      ->check(CLI::PositiveNumber);
}

}  // namespace blastscan::cli
