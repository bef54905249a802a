#include "common/paths.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>

namespace blastscan::testing {

std::filesystem::path source_dir() { return BLASTSCAN_SOURCE_DIR; }

std::filesystem::path shared_dir() {
  if (const char* env = std::getenv("BLASTSCAN_SHARED")) return env;
  return source_dir().parent_path() / "shared";
}

std::filesystem::path backbone_pb() { return shared_dir() / "models" / "inception_v3_imagenet_2015_mixed7a.pb"; }

std::filesystem::path blastscan_binary() { return std::filesystem::path(BLASTSCAN_BINARY_DIR) / "blastscan"; }

std::filesystem::path scratch_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = info ? std::string(info->test_suite_name()) + "." + info->name() : "scratch";
  for (auto& c : name)
    if (c == '/') c = '_';
  // A test binary re-run by a test of its own gets another root, so the two never share a folder.
  const char* root = std::getenv("BLASTSCAN_TEST_SCRATCH");
  auto dir = (root ? std::filesystem::path(root) : std::filesystem::path(BLASTSCAN_BINARY_DIR) / "test-scratch") / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

int run_command(const std::string& command, std::string& output) {
  output.clear();
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return -1;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) output.append(buf.data(), n);
  const int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace blastscan::testing
