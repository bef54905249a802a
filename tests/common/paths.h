// Where tests find things: the shared weights/data (read-only, never copied into the repo),
// the blastscan binary, and a fresh scratch folder per test.
#pragma once
#include <filesystem>
#include <string>

namespace blastscan::testing {

std::filesystem::path shared_dir();  // $BLASTSCAN_SHARED or <source>/../shared
std::filesystem::path backbone_pb(); // shared_dir()/models/inception_v3_imagenet_2015_mixed7a.pb
std::filesystem::path blastscan_binary();
std::filesystem::path source_dir();
// A new empty folder named after the running test, under $BLASTSCAN_TEST_SCRATCH or else
// <build>/test-scratch.
std::filesystem::path scratch_dir();

// Runs a shell command, returns its exit status; stdout+stderr captured into `output`.
int run_command(const std::string& command, std::string& output);

}  // namespace blastscan::testing
