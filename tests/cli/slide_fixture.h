// Cells for slide tests: two thirds of all_idb2_lowres to train on, the other third held out
// to build synthetic slides from (predict/synthetic_slide.h), so no cell on a test slide was
// seen in training.
#pragma once
#include <algorithm>
#include <filesystem>
#include <vector>

#include "cli/dataset_fixture.h"

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

}  // namespace blastscan::testing
