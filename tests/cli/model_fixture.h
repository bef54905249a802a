// A small model file for end-to-end tests: a random backbone up to Mixed_5b with a 2-class
// head named like ALL-IDB's classes, written once per test binary into the build tree.
#pragma once
#include <filesystem>

#include "common/paths.h"
#include "formats/graphdef.h"
#include "inception/random_model.h"

namespace blastscan::testing {

inline std::filesystem::path small_model_pb() {
  static const std::filesystem::path path = [] {
    const auto dir = std::filesystem::path(BLASTSCAN_TEST_BINARY_DIR) / "test-models";
    std::filesystem::create_directories(dir);
    Model model = make_random_model("Mixed_5b", 2, 17);
    model.classes = {"healthy", "ALL"};
    model.positive = {"ALL"};
    save_model(model, dir / "small.pb");
    return dir / "small.pb";
  }();
  return path;
}

// Runs `blastscan ARGS`; returns the exit status and fills output (stdout+stderr).
inline int blastscan(const std::string& args, std::string& output) {
  return run_command(blastscan_binary().string() + " " + args, output);
}

}  // namespace blastscan::testing
