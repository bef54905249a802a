// Checkpoints that were damaged on disk are refused with a message naming the file, never
// half-loaded: truncation, a flipped byte, garbage, a missing file.
#include <gtest/gtest.h>

#include "base/error.h"
#include "base/file_io.h"
#include "common/paths.h"
#include "train/checkpoint.h"

namespace blastscan {
namespace {

std::filesystem::path write_valid_checkpoint() {
  const auto path = testing::scratch_dir() / "checkpoint.bin";
  TrainConfig config;
  save_checkpoint({config, "fp", start_training(32, 3, config)}, path);
  return path;
}

void expect_refused(const std::filesystem::path& path) {
  try {
    load_checkpoint(path);
    FAIL() << "a damaged checkpoint was loaded";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
  }
}

TEST(Checkpoint, RoundTripsTheState) {
  const auto path = write_valid_checkpoint();
  const Checkpoint c = load_checkpoint(path);
  EXPECT_EQ(c.state.net.C, 32);
  EXPECT_EQ(c.state.net.K, 3);
  EXPECT_EQ(c.state.net.params, start_training(32, 3, TrainConfig{}).net.params);
}

TEST(Checkpoint, TruncatedIsRefused) {
  const auto path = write_valid_checkpoint();
  auto bytes = read_file(path);
  bytes.resize(bytes.size() / 2);
  write_file_atomic(path, bytes);
  expect_refused(path);
}

TEST(Checkpoint, FlippedByteIsRefused) {
  const auto path = write_valid_checkpoint();
  auto bytes = read_file(path);
  bytes[bytes.size() - 100] ^= 0x10;  // inside the float payload: only the checksum can see it
  write_file_atomic(path, bytes);
  expect_refused(path);
}

TEST(Checkpoint, GarbageAndMissingAreRefused) {
  const auto dir = testing::scratch_dir();
  write_file_atomic(dir / "garbage.bin", std::string_view("not a checkpoint at all"));
  expect_refused(dir / "garbage.bin");
  expect_refused(dir / "missing.bin");
}

}  // namespace
}  // namespace blastscan
