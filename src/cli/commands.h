// Every subcommand registers itself on the app here; one file per subcommand (cmd_<name>.cpp),
// each a thin layer: parse options, call the library, print.
#pragma once
#include <CLI/CLI.hpp>

namespace blastscan::cli {

void add_info(CLI::App& app);
void add_classify(CLI::App& app);
void add_bench(CLI::App& app);

}  // namespace blastscan::cli
