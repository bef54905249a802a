// Where a subcommand's printed results go, and the exit status they mean; shared by the
// commands that print result rows (classify, merge).
#pragma once
#include <string>
#include <vector>

#include "predict/results.h"

namespace blastscan::cli {

// To stdout, or to out_file written atomically (a temporary beside it, then rename).
void emit_output(const std::string& text, const std::string& out_file);

// 0 when every image was classified; otherwise throws ExitStatus 1 when none was, 2 when some were not.
void exit_for_results(const ResultSummary& summary);

// Both, for result rows in `format`: for a table, the rows of unreadable images go to stderr
// (where errors belong on a terminal; JSON and CSV carry them in-band).
void print_results(const std::vector<ImageResult>& results, const Model& model, const std::string& format,
                   const std::string& out_file = "");

}  // namespace blastscan::cli
