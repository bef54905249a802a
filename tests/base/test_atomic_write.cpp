// Atomic writes and whole-file reads: a write replaces the file whole and leaves no temporary
// behind, a failed write leaves the old file as it was, and read errors name the path.
#include <gtest/gtest.h>

#include "base/error.h"
#include "base/file_io.h"
#include "common/paths.h"

namespace blastscan {
namespace {

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(AtomicWrite, ReplacesTheFileWholeAndLeavesNoTemporary) {
  const fs::path dir = testing::scratch_dir();
  write_file_atomic(dir / "sub" / "a.json", std::string_view("first"));  // parents are created
  write_file_atomic(dir / "sub" / "a.json", std::string_view("second, longer"));
  EXPECT_EQ(read_text_file(dir / "sub" / "a.json"), "second, longer");
  EXPECT_EQ(names_in(dir / "sub"), std::vector<std::string>{"a.json"});
}

TEST(AtomicWrite, AFailedWriteLeavesTheOldFile) {
  const fs::path dir = testing::scratch_dir();
  write_file_atomic(dir / "out.txt", std::string_view("kept"));
  fs::create_directories(dir / "busy");  // a folder where the file should go: rename fails
  EXPECT_THROW(write_file_atomic(dir / "busy", std::string_view("x")), Error);
  EXPECT_EQ(read_text_file(dir / "out.txt"), "kept");
  EXPECT_EQ(names_in(dir), (std::vector<std::string>{"busy", "out.txt"}));  // no temporary left
}

TEST(ReadFile, ErrorsNameThePath) {
  const fs::path dir = testing::scratch_dir();
  try {
    read_file(dir / "missing.bin");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("missing.bin"), std::string::npos) << e.what();
  }
  write_file_atomic(dir / "big.bin", std::string(100, 'x'));
  EXPECT_THROW(read_file(dir / "big.bin", 99), InputError);
  EXPECT_EQ(read_file(dir / "big.bin", 100).size(), 100u);
}

}  // namespace
}  // namespace blastscan
