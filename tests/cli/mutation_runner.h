// Runs many `blastscan` command lines, a few at a time, each under coreutils' timeout, and
// judges each outcome the way a user sees it: an exit status and what was printed. For the
// mutation corpus (test_mutation_corpus.cpp), where hundreds of damaged files go through the
// real binary.
#pragma once
#include <atomic>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "common/paths.h"

namespace blastscan::testing {

struct Outcome {
  int status = -1;     // exit status; 124 = timed out (a hang), 128+N = killed by signal N
  std::string output;  // stdout
  std::string errors;  // stderr
};

// Each command is `blastscan ARGS` (ARGS given); at most `parallel` run at once, each killed
// after `timeout_s` seconds. GOMP_SPINCOUNT is set, which blastscan would otherwise
// re-execute itself to set (main.cpp): one process start per case, not two.
inline std::vector<Outcome> run_blastscan_all(const std::vector<std::string>& args, int timeout_s, int parallel = 2) {
  std::vector<Outcome> outcomes(args.size());
  std::atomic<size_t> next{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < parallel; ++w)
    workers.emplace_back([&] {
      for (size_t i; (i = next++) < args.size();) {
        const std::filesystem::path err = std::filesystem::temp_directory_path() /
                                          ("blastscan-stderr-" + std::to_string(getpid()) + "-" + std::to_string(i));
        // In a subshell, so that run_command's own 2>&1 (on the subshell) does not undo this one.
        outcomes[i].status = run_command("(GOMP_SPINCOUNT=2000 timeout -k 5 " + std::to_string(timeout_s) + " " +
                                             blastscan_binary().string() + " " + args[i] + " 2>" + err.string() + ")",
                                         outcomes[i].output);
        std::ifstream in(err);
        outcomes[i].errors.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        std::filesystem::remove(err);
      }
    });
  for (auto& w : workers) w.join();
  return outcomes;
}

// What went wrong with a run, or "" if nothing: a hang, a signal, or a sanitizer report or
// crash message in `printed`.
inline std::string broken(int status, const std::string& printed) {
  if (status == 124) return "timed out (a hang)";
  if (status > 128) return "killed by signal " + std::to_string(status - 128);
  if (status < 0) return "could not run";
  for (const char* alarm : {"Sanitizer", "runtime error:", "terminate called", "Segmentation fault", "Aborted"})
    if (printed.find(alarm) != std::string::npos) return std::string("printed '") + alarm + "'";
  return "";
}

// What went wrong with an outcome that should be a success or a clean refusal, or "" if
// nothing: not broken(), and a refusal (exit 1) is exactly one line "blastscan: error: ..."
// that names `file`.
inline std::string unclean(const Outcome& o, const std::string& file) {
  if (std::string why = broken(o.status, o.output + o.errors); !why.empty()) return why;
  if (o.status == 1) {
    const auto newline = o.errors.find('\n');
    if (o.errors.rfind("blastscan: error: ", 0) != 0 || newline + 1 != o.errors.size())
      return "a refusal that is not one 'blastscan: error:' line";
    if (o.errors.find(std::filesystem::path(file).filename().string()) == std::string::npos)
      return "an error line that does not name the file";
  }
  return "";
}

}  // namespace blastscan::testing
