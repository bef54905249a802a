// TensorBoard event files read back: TFRecord framing with valid masked CRC-32Cs, the
// file_version event first, then scalars with their step and wall time; a damaged file is refused.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>

#include "base/error.h"
#include "base/file_io.h"
#include "common/paths.h"
#include "formats/crc32c.h"
#include "formats/tfevents.h"
#include "tensorflow_event.pb.h"

namespace blastscan {
namespace {

std::filesystem::path write_two_epochs(const std::filesystem::path& dir) {
  EventWriter writer(dir);
  writer.add_scalars(184, {{"loss", 0.5f}, {"accuracy", 0.75f}});
  writer.add_scalars(368, {{"loss", 0.25f}, {"learning_rate", 1e-4f}});
  return writer.path();
}

TEST(TfEvents, FileNameIsTensorBoards) {
  const auto path = write_two_epochs(testing::scratch_dir());
  EXPECT_EQ(path.filename().string().rfind("events.out.tfevents.", 0), 0u) << path;
}

TEST(TfEvents, ScalarsReadBackWithStepAndWallTime) {
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  const auto events = read_scalar_events(write_two_epochs(testing::scratch_dir()));
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].tag, "loss");
  EXPECT_EQ(events[0].step, 184);
  EXPECT_EQ(events[0].value, 0.5f);
  EXPECT_EQ(events[1].tag, "accuracy");
  EXPECT_EQ(events[3].tag, "learning_rate");
  EXPECT_EQ(events[3].step, 368);
  EXPECT_EQ(events[3].value, 1e-4f);
  EXPECT_NEAR(events[0].wall_time, now, 60.0);
}

TEST(TfEvents, FirstRecordIsFileVersionFramedWithMaskedCrcs) {
  const auto bytes = read_file(write_two_epochs(testing::scratch_dir()));
  ASSERT_GT(bytes.size(), 16u);
  uint64_t length;
  uint32_t length_crc, data_crc;
  std::memcpy(&length, bytes.data(), 8);
  std::memcpy(&length_crc, bytes.data() + 8, 4);
  ASSERT_LT(12 + length + 4, bytes.size());
  std::memcpy(&data_crc, bytes.data() + 12 + length, 4);
  EXPECT_EQ(length_crc, mask_crc32c(crc32c(std::span(bytes.data(), 8))));
  EXPECT_EQ(data_crc, mask_crc32c(crc32c(std::span(bytes.data() + 12, length))));
  tensorflow::Event event;
  ASSERT_TRUE(event.ParseFromArray(bytes.data() + 12, int(length)));
  EXPECT_EQ(event.file_version(), "brain.Event:2");
  EXPECT_GT(event.wall_time(), 1.5e9);
}

TEST(TfEvents, DamagedFileIsRefused) {
  const auto path = write_two_epochs(testing::scratch_dir());
  auto bytes = read_file(path);
  bytes[bytes.size() - 8] ^= 0x01;
  write_file_atomic(path, bytes);
  EXPECT_THROW(read_scalar_events(path), InputError);
}

TEST(TfEvents, TwoWritersInOneFolderGetTwoFiles) {
  const auto dir = testing::scratch_dir();
  EventWriter a(dir), b(dir);
  EXPECT_NE(a.path(), b.path());
}

}  // namespace
}  // namespace blastscan
