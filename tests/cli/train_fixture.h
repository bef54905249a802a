// A small real training run for end-to-end tests: the shared ImageNet backbone, 20 + 20
// ALL-IDB2 images, a few epochs. Bottleneck features go to one cache in the build tree that
// every test shares (entries are written atomically, so parallel tests are safe), so only the
// first test pays for the network pass.
#pragma once
#include <filesystem>
#include <string>

#include "cli/dataset_fixture.h"
#include "cli/model_fixture.h"

namespace blastscan::testing {

inline std::filesystem::path shared_test_cache() {
  return std::filesystem::path(BLASTSCAN_TEST_BINARY_DIR) / "test-cache" / "bottlenecks";
}

// `blastscan train` on DATA into OUT with the flags given; returns the exit status.
inline int train_small(const std::filesystem::path& data, const std::filesystem::path& out, const std::string& flags,
                       std::string& output) {
  return blastscan("train --backbone " + backbone_pb().string() + " --data " + data.string() + " --out " +
                       out.string() + " --cache " + shared_test_cache().string() + " " + flags,
                   output);
}

}  // namespace blastscan::testing
