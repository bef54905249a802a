// Small datasets for CLI tests: copies of shared ALL-IDB2 images in a scratch folder.
#pragma once
#include <algorithm>
#include <filesystem>
#include <vector>

#include "common/paths.h"

namespace blastscan::testing {

inline std::filesystem::path all_idb2() { return shared_dir() / "data" / "all_idb2_lowres"; }

// Copies the first `n` images (by name) of each class of ALL-IDB2 into `dir`.
inline std::filesystem::path copy_small_dataset(const std::filesystem::path& dir, int n) {
  namespace fs = std::filesystem;
  fs::create_directories(dir);
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(all_idb2())) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  int counts[2] = {0, 0};
  for (const auto& f : files) {
    int& count = counts[f.stem().string().ends_with("_1")];
    if (count < n) {
      fs::copy_file(f, dir / f.filename());
      ++count;
    }
  }
  return dir;
}

}  // namespace blastscan::testing
