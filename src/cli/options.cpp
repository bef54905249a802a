// The table of options that are not training settings (those are in train/config.cpp); how to
// add one is at the top of options.h.
#include "cli/options.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "predict/results.h"
#include "train/config.h"

namespace blastscan::cli {

std::string shared_path(const std::string& relative) {
  const char* env = std::getenv("BLASTSCAN_SHARED");
  return (env ? std::string(env) : std::string("../shared")) + "/" + relative;
}

CLI::Validator finite_number() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        char* end = nullptr;
        const double value = std::strtod(text.c_str(), &end);
        if (end == text.c_str() || *end != '\0') return "'" + text + "' is not a number";
        return std::isfinite(value) ? "" : "'" + text + "' is not a finite number";
      },
      "FINITE", "finite number");
}

namespace flags {
const SettingSpec model{.key = "model", .help = "frozen model (.pb)", .flag = "--model,-m"};
const SettingSpec data{.key = "data",
                       .help = "dataset folder, manifest (.json/.csv), or a folder with manifest.json",
                       .flag = "--data,-d"};
const SettingSpec threads{.key = "threads", .help = "compute threads (0 = all cores)", .min = 0, .max = 1024,
                          .flag = "--threads,-t"};
const SettingSpec threshold{.key = "threshold", .help = "confidence below this is flagged LOW", .min = 0, .max = 1};
const SettingSpec format{.key = "format", .help = "output format", .choices = {"table", "json", "csv"}};
const SettingSpec batch{.key = "batch",
                        .help = "images per network run; 0: chosen for throughput (a few per thread, one image per "
                                "thread; classify: 1 for one file)",
                        .min = 0,
                        .max = 256};
const SettingSpec positive{.key = "positive",
                           .help = "classes that mean ALL, comma-separated (default: every class except one named "
                                   "like benign/healthy/normal/negative/0)"};
const SettingSpec cache{.key = "cache",
                        .help = "bottleneck feature cache folder (default: $BLASTSCAN_CACHE or "
                                "~/.cache/blastscan/bottlenecks)"};
const SettingSpec shard{.key = "shard",
                        .help = "work on part I of N (0-based) of the input list and write its shard file to --out; "
                                "an empty I or N is $SLURM_ARRAY_TASK_ID or $SLURM_ARRAY_TASK_COUNT (--shard /8)"};
const SettingSpec out_file{.key = "out",
                           .help = "write to FILE (atomically: complete or not there) instead of stdout",
                           .flag = "--out,-o"};
const SettingSpec tile{.key = "tile",
                       .help = "scan every image in tiles of SIZE pixels (default: only images more than twice the "
                               "network input on a side, and slide files, in tiles of 299)",
                       .min = 16,
                       .max = 8192};
const SettingSpec no_tile{.key = "no_tile", .help = "classify every image whole, however large (slide files cannot be)"};
const SettingSpec stride{.key = "stride", .help = "pixels between tiles (default: the tile size, no overlap)", .min = 1,
                         .max = 8192};
const SettingSpec tile_batch{.key = "tile_batch", .help = "tiles read and classified together", .min = 1, .max = 1024};
const SettingSpec min_all_tiles{.key = "min_all_tiles",
                                .help = "a slide is ALL when at least this many tiles have ALL probability >= --threshold",
                                .min = 1,
                                .max = 1 << 20};
const SettingSpec level{.key = "level",
                        .help = "slide file level to read (0 = full resolution; default: see --pixel-size)",
                        .min = 0,
                        .max = 64};
const SettingSpec pixel_size{.key = "pixel_size",
                             .help = "microns per pixel of the training images: read the slide level closest to it "
                                     "(default: level 0)",
                             .min = 1e-6,
                             .max = 1e6};
const SettingSpec heatmap{.key = "heatmap",
                          .help = "folder for each tiled image's heat-map (NAME.heatmap.png) and tile list "
                                  "(NAME.tiles.json)"};
const SettingSpec explain{.key = "explain",
                          .help = "folder for the class activation map of each image classified whole (NAME.cam.png) "
                                  "and of each tiled image's hottest tiles (NAME.tileRR-xX-yY.cam.png, RR = 01 for the "
                                  "hottest)"};
const SettingSpec cache_only{.key = "cache_only",
                             .help = "only fill the feature cache (with --shard: for part of the images), for a later "
                                     "train to run warm"};
const SettingSpec precision{.key = "precision",
                            .help = "network precision: fp32, bf16 (CPUs with AVX512-BF16 or AMX) or int8 (a model "
                                    "calibrated by `blastscan quantize`)",
                            .choices = {"fp32", "bf16", "int8"}};
const SettingSpec max_connections{.key = "max_connections",
                                  .help = "connections served at once, slow ones included (more: 503 at once)",
                                  .min = 1,
                                  .max = 1024};
const SettingSpec request_timeout{.key = "request_timeout",
                                  .help = "seconds a whole request (headers and body) may take to arrive (then 408)",
                                  .min = 1,
                                  .max = 3600};
const SettingSpec max_memory_mb{.key = "max_memory_mb",
                                .help = "memory in MiB that requests in flight may hold together, bodies and decoded "
                                        "images (more: 503)",
                                .min = 16,
                                .max = 1 << 20};
const SettingSpec malloc_arenas{.key = "malloc_arenas",
                                .help = "glibc malloc arenas the server's threads share: few keep its memory flat, more "
                                        "may serve many workers on many cores faster (0: glibc's default, 8 per core)",
                                .min = 0,
                                .max = 1024};
const SettingSpec& seed = train_setting("seed").spec;
const SettingSpec& validation = train_setting("validation").spec;
const SettingSpec& group_by = train_setting("group_by").spec;
const SettingSpec& endpoint = train_setting("endpoint").spec;
}  // namespace flags

namespace detail {

void apply_spec(CLI::Option* option, const SettingSpec& spec, bool numeric) {
  if (numeric) {
    // NaN compares false with both ends of a range (it passed CLI11's Range): finite first.
    const double min = spec.min, max = spec.max;
    const std::string range = fmt::format("[{} - {}]", min, max);  // shortest form: 0.003, 1e-12
    CLI::Validator check(
        [min, max, range](std::string& text) -> std::string {
          if (std::string finite = finite_number()(text); !finite.empty()) return finite;
          const double value = std::strtod(text.c_str(), nullptr);
          return value >= min && value <= max ? "" : "'" + text + "' is out of range " + range;
        },
        std::isfinite(min) || std::isfinite(max) ? "in " + range : "");
    option->check(check);
  }
  if (!spec.choices.empty()) option->check(CLI::IsMember(spec.choices));
}

}  // namespace detail

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
  auto* tile = add_option_function<int>(cmd, flags::tile, [&options](int size) {
    options.tile.size = size;
    options.tiling = Tiling::always;
  });
  add_option_function<bool>(cmd, flags::no_tile, [&options] { options.tiling = Tiling::never; })->excludes(tile);
  add_option(cmd, flags::stride, options.tile.stride)->default_str("");  // 0: the tile size
  add_option(cmd, flags::tile_batch, options.tile.batch);
  add_option(cmd, flags::min_all_tiles, options.tile.min_all_tiles);
  add_option(cmd, flags::level, options.level.level)->default_str("");
  add_option(cmd, flags::pixel_size, options.level.pixel_size_um)->default_str("");
}

}  // namespace blastscan::cli
