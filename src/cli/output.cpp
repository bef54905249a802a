#include "cli/output.h"

#include <cstdio>

#include "base/file_io.h"
#include "base/safe_text.h"
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

void print_results(const std::vector<ImageResult>& results, const Model& model, const std::string& format,
                   const std::string& out_file) {
  if (format == "table")
    for (const auto& r : results)
      if (!r.prediction) std::fprintf(stderr, "blastscan: error: %s\n", printable(r.error).c_str());
  emit_output(format_results(results, model, format), out_file);
  exit_for_results(summarize(results));
}

}  // namespace blastscan::cli
