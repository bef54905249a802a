// Options shared by several subcommands, each declared once here with its name, default and
// help text (llama.cpp's common/arg.cpp). A subcommand calls the add_* it accepts.
#pragma once
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace blastscan {
struct ClassifyOptions;  // predict/results.h
}
#include "inception/network.h"

namespace blastscan::cli {

// Where the shared weights and data live: $BLASTSCAN_SHARED, else ../shared.
std::string shared_path(const std::string& relative);

void add_model_option(CLI::App* cmd, std::string& model, bool required = true);
void add_threads_option(CLI::App* cmd, int& threads);
void add_threshold_option(CLI::App* cmd, float& threshold);
void add_seed_option(CLI::App* cmd, unsigned& seed);
void add_format_option(CLI::App* cmd, std::string& format);  // table|json|csv
void add_batch_option(CLI::App* cmd, int& batch);
void add_endpoint_option(CLI::App* cmd, std::string& endpoint);
void add_data_option(CLI::App* cmd, std::string& data);  // --data DIR|MANIFEST (required)
void add_positive_option(CLI::App* cmd, std::vector<std::string>& positive);  // classes that mean ALL
void add_cache_option(CLI::App* cmd, std::string& cache_dir);  // bottleneck cache folder
void add_validation_option(CLI::App* cmd, double& validation);  // --val fraction
void add_group_by_option(CLI::App* cmd, std::string& group_by);
// --shard I/N: part I of N of the input list (an empty I or N comes from Slurm's array variables).
void add_shard_option(CLI::App* cmd, std::string& shard, const std::string& what_it_writes);
void add_out_file_option(CLI::App* cmd, std::string& out_file);  // --out FILE instead of stdout
// --tile SIZE, --stride S, --tile-batch N, --no-tile, --min-all-tiles K, --level N,
// --pixel-size UM: how large images and slide files are scanned. Fills options.tiling,
// options.tile and options.level.
void add_tiling_options(CLI::App* cmd, ClassifyOptions& options);
void add_precision_option(CLI::App* cmd, std::string& precision);  // --precision fp32|bf16|int8
// The precision to compile for; bf16 on a CPU without avx512_core_bf16/AMX says so on stderr
// (one line) and gives fp32.
Precision choose_precision(const std::string& name);

}  // namespace blastscan::cli
