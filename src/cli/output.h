// Where a subcommand's printed results go, and the exit status they mean; shared by the
// commands that print result rows (classify, merge).
#pragma once
#include <string>

#include "predict/results.h"

namespace blastscan::cli {

// To stdout, or to out_file written atomically (a temporary beside it, then rename).
void emit_output(const std::string& text, const std::string& out_file);

// 0 when every image was classified; otherwise throws ExitStatus 1 when none was, 2 when some were not.
void exit_for_results(const ResultSummary& summary);

}  // namespace blastscan::cli
