// The command line's options, each declared once (as llama.cpp's common/arg.cpp registers each
// flag one time). A SettingSpec (base/settings.h) holds an option's flag names, help text and
// accepted values; its default is the member initialiser of the value it is bound to.
//
// How to add an option:
//  - A training setting (it is also a config-file key and a field of the model card's
//    "config"): add the field to TrainConfig (train/config.h) and one row to train_settings()
//    (train/config.cpp). `blastscan train` gets the flag from the table; nothing else to do.
//  - Any other flag: add one spec to the table below (namespace flags, defined in options.cpp),
//    e.g.  const SettingSpec tile{.key = "tile", .help = "tile size in pixels", .min = 64, .max = 8192};
//    then bind it in each subcommand that takes it:  add_option(cmd, flags::tile, args->tile);
//    The flag is "--" + key with dashes unless .flag says otherwise ("--threads,-t"). CLI11
//    checks .min/.max and .choices, and --help shows the bound value as the default.
#pragma once
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "base/settings.h"
#include "inception/network.h"  // Precision

namespace blastscan {
struct ClassifyOptions;  // predict/results.h
}

namespace blastscan::cli {

// Where the shared weights and data live: $BLASTSCAN_SHARED, else ../shared.
std::string shared_path(const std::string& relative);

// Refuses "nan", "inf" and the like. CLI11's Range and PositiveNumber let NaN through (every
// comparison with NaN is false), so a check on a floating-point option starts with this one.
CLI::Validator finite_number();

namespace flags {
extern const SettingSpec model;      // --model,-m: frozen model (.pb)
extern const SettingSpec data;       // --data,-d: dataset folder or manifest
extern const SettingSpec threads;    // --threads,-t
extern const SettingSpec threshold;  // --threshold: LOW below it
extern const SettingSpec format;     // --format: table|json|csv
extern const SettingSpec batch;      // --batch: images per network run
extern const SettingSpec positive;   // --positive: classes that mean ALL
extern const SettingSpec cache;      // --cache: bottleneck cache folder
// --shard I/N: part I of N of the input list (an empty I or N comes from Slurm's array variables).
extern const SettingSpec shard;
extern const SettingSpec out_file;   // --out FILE instead of stdout
// How large images and slide files are scanned (add_tiling_options binds them together).
extern const SettingSpec tile;           // --tile SIZE: always tile, in tiles of SIZE
extern const SettingSpec no_tile;        // --no-tile: classify every image whole
extern const SettingSpec stride;         // --stride: pixels between tiles
extern const SettingSpec tile_batch;     // --tile-batch: tiles per network run
extern const SettingSpec min_all_tiles;  // --min-all-tiles: ALL tiles that make a slide ALL
extern const SettingSpec level;          // --level: slide file level
extern const SettingSpec pixel_size;     // --pixel-size: microns per pixel of the training images
extern const SettingSpec heatmap;        // --heatmap DIR: each tiled image's heat-map
extern const SettingSpec explain;        // --explain DIR: class activation maps
extern const SettingSpec cache_only;     // train --cache-only: fill the feature cache only
extern const SettingSpec precision;      // --precision fp32|bf16|int8 (see choose_precision)
// What one request may cost the server (serve/bounded_connections.h, serve/memory_budget.h).
extern const SettingSpec max_connections;  // --max-connections: connections served at once; more get 503
extern const SettingSpec request_timeout;  // --request-timeout: seconds for a whole request, then 408
extern const SettingSpec max_memory_mb;    // --max-memory-mb: bodies and decoded images in flight; more: 503
extern const SettingSpec malloc_arenas;    // --malloc-arenas: glibc arenas the server's threads share
// Training settings that other subcommands take too (prepare splits as train does), so they
// are the rows of train_settings(), not second declarations.
extern const SettingSpec& seed;        // --seed
extern const SettingSpec& validation;  // --val: validation fraction
extern const SettingSpec& group_by;    // --group-by
extern const SettingSpec& endpoint;    // --endpoint: backbone end point or auto
}  // namespace flags

// The tiling flags (flags::tile ... flags::pixel_size), which set several fields together or
// exclude each other: fills options.tiling, options.tile and options.level.
void add_tiling_options(CLI::App* cmd, ClassifyOptions& options);
// The precision to compile for; bf16 on a CPU without avx512_core_bf16/AMX says so on stderr
// (one line) and gives fp32.
Precision choose_precision(const std::string& name);

namespace detail {
template <typename V> struct is_vector : std::false_type {};
template <typename V> struct is_vector<std::vector<V>> : std::true_type {};
void apply_spec(CLI::Option* option, const SettingSpec& spec, bool numeric);
}  // namespace detail

// Adds `spec`'s flag to `cmd`, bound to `value` (a bool becomes a flag without a value; a vector
// takes comma-separated items). Returns the option for per-command extras (->required()).
template <typename V>
CLI::Option* add_option(CLI::App* cmd, const SettingSpec& spec, V& value) {
  if constexpr (std::is_same_v<V, bool>) {
    return cmd->add_flag(spec.flag_names(), value, spec.help);
  } else {
    CLI::Option* option = cmd->add_option(spec.flag_names(), value, spec.help);
    if constexpr (detail::is_vector<V>::value) option->delimiter(',');
    if constexpr (std::is_same_v<V, std::string> || detail::is_vector<V>::value) {
      if (!value.empty()) option->capture_default_str();
    } else {
      option->capture_default_str();
    }
    detail::apply_spec(option, spec, std::is_arithmetic_v<V>);
    return option;
  }
}

// Adds `spec`'s flag to `cmd`, calling `on_value` with the value given (for a flag that sets
// more than one field). A bool spec becomes a flag without a value, `on_value` without argument.
template <typename V, typename F>
CLI::Option* add_option_function(CLI::App* cmd, const SettingSpec& spec, F on_value) {
  if constexpr (std::is_same_v<V, bool>) {
    return cmd->add_flag_callback(spec.flag_names(), on_value, spec.help);
  } else {
    CLI::Option* option = cmd->add_option_function<V>(spec.flag_names(), on_value, spec.help);
    detail::apply_spec(option, spec, std::is_arithmetic_v<V>);
    return option;
  }
}

// Flags for every row of a settings table, bound to `flags`. apply() copies the rows given on
// the command line over `merged` (defaults <- config file <- flags).
template <typename T>
class SettingFlags {
 public:
  SettingFlags(CLI::App* cmd, const SettingTable<T>& table, T& flags) : flags_(flags) {
    for (const auto& row : table)
      std::visit([&](auto field) { given_.emplace_back(add_option(cmd, row.spec, flags.*field), &row); }, row.field);
  }
  void apply(T& merged) const {
    for (const auto& [option, row] : given_)
      if (option->count() > 0) copy_setting(*row, flags_, merged);
  }

 private:
  const T& flags_;
  std::vector<std::pair<CLI::Option*, const Setting<T>*>> given_;
};

}  // namespace blastscan::cli
