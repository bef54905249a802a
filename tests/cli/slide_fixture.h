// A model for slide tests whose truth is known: trained on two thirds of all_idb2_lowres, with
// the other third held out to build synthetic slides from (predict/synthetic_slide.h), so no
// cell on a test slide was seen in training. Trained once per build tree (the bottleneck cache
// is shared with the other CLI tests) into test-models/slides/, atomically, so parallel test
// processes reuse one model.
#pragma once
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cli/train_fixture.h"

namespace blastscan::testing {

// Every third ALL-IDB2 image (by name) is held out; the rest train.
inline std::vector<std::filesystem::path> idb2_cells(bool held_out) {
  std::vector<std::filesystem::path> files, chosen;
  for (const auto& e : std::filesystem::directory_iterator(all_idb2())) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (size_t i = 0; i < files.size(); ++i)
    if ((i % 3 == 2) == held_out) chosen.push_back(files[i]);
  return chosen;
}

inline std::filesystem::path slide_model_pb() {
  namespace fs = std::filesystem;
  const fs::path final_dir = fs::path(BLASTSCAN_TEST_BINARY_DIR) / "test-models" / "slides";
  if (fs::exists(final_dir / "model.pb")) return final_dir / "model.pb";
  const fs::path work = final_dir.string() + ".tmp-" + std::to_string(getpid());
  fs::remove_all(work);
  for (const auto& f : idb2_cells(false)) {
    fs::create_directories(work / "data");
    fs::copy_file(f, work / "data" / f.filename());
  }
  std::string out;
  const int status = train_small(work / "data", work / "run", "--val 0.2", out);
  EXPECT_EQ(status, 0) << out;
  std::error_code ec;
  fs::rename(work / "run", final_dir, ec);  // fails harmlessly when a parallel test got there first
  fs::remove_all(work);
  return final_dir / "model.pb";
}

}  // namespace blastscan::testing
