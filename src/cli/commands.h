// Every subcommand registers itself on the app here; one file per subcommand (cmd_<name>.cpp),
// each a thin layer: parse options, call the library, print.
#pragma once
#include <CLI/CLI.hpp>

namespace blastscan::cli {

// Thrown by a subcommand that has printed its own output and wants a particular exit status
// (e.g. classify: 2 when some images could not be read).
struct ExitStatus {
  int code;
};

void add_info(CLI::App& app);
void add_classify(CLI::App& app);
void add_merge(CLI::App& app);
void add_bench(CLI::App& app);
void add_prepare(CLI::App& app);
void add_augment(CLI::App& app);
void add_export(CLI::App& app);
void add_serve(CLI::App& app);
void add_client(CLI::App& app);
void add_train(CLI::App& app);
void add_evaluate(CLI::App& app);
void add_quantize(CLI::App& app);
void add_preprocess(CLI::App& app);

}  // namespace blastscan::cli
