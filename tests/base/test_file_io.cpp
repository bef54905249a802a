// Temporary files match no output pattern, and reading refuses what is not a regular file with
// the reason (a FIFO would block the open forever).
#include <gtest/gtest.h>

#include <fnmatch.h>
#include <sys/stat.h>

#include "base/error.h"
#include "base/file_io.h"
#include "common/paths.h"

namespace blastscan {
namespace {

TEST(TemporaryPath, IsHiddenBesideTheTargetAndMatchesNoOutputPattern) {
  const fs::path target = "/data/out/taleqani_train_00001-of-00010.tfrecord";
  const fs::path tmp = temporary_path_for(target);
  EXPECT_EQ(tmp.parent_path(), target.parent_path());  // same filesystem: the rename is atomic
  EXPECT_EQ(tmp.filename().string().rfind(".taleqani_train_00001-of-00010.tfrecord.tmp", 0), 0u) << tmp;
  // As a shell expands them (a leading dot is matched only by a leading dot).
  for (const char* pattern : {"*_train_*", "*.tfrecord*", "taleqani_*", "*"})
    EXPECT_NE(fnmatch(pattern, tmp.filename().c_str(), FNM_PERIOD), 0) << pattern;
  EXPECT_NE(temporary_path_for(target), tmp);  // two writers never share one
}

TEST(TemporaryPath, NamesTheFileItStandsFor) {
  const fs::path target = "/data/out/taleqani_train_00001-of-00010.tfrecord";
  EXPECT_EQ(final_name_of_temporary(temporary_path_for(target).filename().string()), target.filename().string());
  EXPECT_EQ(final_name_of_temporary(".manifest.json.tmp0"), "manifest.json");
  for (const char* not_one : {"manifest.json", ".manifest.json", ".manifest.json.tmp", ".manifest.json.tmp12x",
                              "manifest.json.tmp12", ".tmp12", ".hidden"})
    EXPECT_EQ(final_name_of_temporary(not_one), "") << not_one;
}

TEST(ReadFile, WhatIsNotARegularFileIsRefusedWithTheReason) {
  const auto dir = testing::scratch_dir();
  fs::create_symlink(dir / "nowhere", dir / "dangling");
  fs::create_symlink("loop", dir / "loop");
  ASSERT_EQ(mkfifo((dir / "fifo").c_str(), 0600), 0);
  const auto reason = [](const fs::path& p) {
    try {
      read_file(p);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("read");
  };
  EXPECT_EQ(reason(dir / "missing"), (dir / "missing").string() + ": no such file");
  EXPECT_EQ(reason(dir / "dangling"), (dir / "dangling").string() + ": dangling symbolic link (its target does not exist)");
  EXPECT_EQ(reason(dir / "loop"), (dir / "loop").string() + ": cannot read: Too many levels of symbolic links");
  EXPECT_EQ(reason(dir / "fifo"), (dir / "fifo").string() + ": not a regular file");  // returns, never blocks
  EXPECT_EQ(reason(dir), dir.string() + ": is a directory, expected a file");
}

}  // namespace
}  // namespace blastscan
