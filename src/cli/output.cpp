#include "cli/output.h"

#include <cstdio>

#include "base/file_io.h"
#include "cli/commands.h"

namespace blastscan::cli {

void emit_output(const std::string& text, const std::string& out_file) {
  if (out_file.empty())
    std::fputs(text.c_str(), stdout);
  else
    write_file_atomic(out_file, text);
}

void exit_for_results(const ResultSummary& summary) {
  if (summary.errors > 0) throw ExitStatus{summary.classified == 0 ? 1 : 2};
}

}  // namespace blastscan::cli
