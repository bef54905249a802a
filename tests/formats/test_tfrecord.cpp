// TFRecord framing and tf.Example: the byte layout checked field by field, round trips,
// corruption and truncation caught, unfinished writers leave nothing behind. The tf.Example
// wire bytes are written out by hand from TensorFlow's field numbers, not by our schema.
#include <gtest/gtest.h>

#include "base/error.h"
#include "base/file_io.h"
#include "common/paths.h"
#include "formats/crc32c.h"
#include "formats/tf_example.h"
#include "formats/tfrecord.h"
#include "tensorflow_example.pb.h"

using namespace blastscan;

namespace {

uint64_t le(const std::vector<uint8_t>& b, size_t pos, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= uint64_t(b[pos + i]) << (8 * i);
  return v;
}

std::string error_of(const std::vector<uint8_t>& bytes) {
  try {
    TfRecordReader reader(bytes, "f.tfrecord");
    while (reader.next()) {
    }
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(TfRecord, FrameLayoutIsLengthCrcDataCrc) {
  const auto path = blastscan::testing::scratch_dir() / "a.tfrecord";
  TfRecordWriter writer(path);
  writer.write(std::string_view("abc"));
  writer.finish();
  const auto b = read_file(path);
  ASSERT_EQ(b.size(), 8u + 4 + 3 + 4);
  EXPECT_EQ(le(b, 0, 8), 3u);
  EXPECT_EQ(le(b, 8, 4), mask_crc32c(crc32c(std::span(b).first(8))));
  EXPECT_EQ(std::string(b.begin() + 12, b.begin() + 15), "abc");
  EXPECT_EQ(le(b, 15, 4), mask_crc32c(crc32c(std::span(b).subspan(12, 3))));
}

TEST(TfRecord, RoundTripsRecords) {
  const auto path = blastscan::testing::scratch_dir() / "r.tfrecord";
  std::vector<std::vector<uint8_t>> records = {{}, {1, 2, 3}, std::vector<uint8_t>(100000, 7)};
  TfRecordWriter writer(path);
  for (const auto& r : records) writer.write(r);
  writer.finish();
  EXPECT_EQ(read_tfrecord_file(path), records);
}

TEST(TfRecord, CorruptionAndTruncationAreCaught) {
  const auto path = blastscan::testing::scratch_dir() / "c.tfrecord";
  TfRecordWriter writer(path);
  writer.write(std::string_view("first"));
  writer.write(std::string_view("second"));
  writer.finish();
  const auto good = read_file(path);
  EXPECT_EQ(error_of(good), "");

  auto flipped_data = good;
  flipped_data[12] ^= 1;
  EXPECT_EQ(error_of(flipped_data), "f.tfrecord: record 0: data CRC mismatch (corrupt file)");
  auto flipped_length = good;
  flipped_length[0 + 21] ^= 0x40;  // the second record's length
  EXPECT_EQ(error_of(flipped_length), "f.tfrecord: record 1: length CRC mismatch (corrupt file)");
  const std::vector<uint8_t> cut(good.begin(), good.end() - 2);
  EXPECT_EQ(error_of(cut), "f.tfrecord: record 1: truncated data");
  const std::vector<uint8_t> header_cut(good.begin(), good.begin() + 25);
  EXPECT_EQ(error_of(header_cut), "f.tfrecord: record 1: truncated header");
}

TEST(TfRecord, UnfinishedWriterLeavesNothing) {
  const auto dir = blastscan::testing::scratch_dir();
  {
    TfRecordWriter writer(dir / "x.tfrecord");
    writer.write(std::string_view("partial"));
  }  // destroyed without finish(), as when an exception unwinds
  EXPECT_TRUE(std::filesystem::is_empty(dir));
}

TEST(TfRecord, StreamingWriterIsReadableBeforeFinish) {
  const auto path = blastscan::testing::scratch_dir() / "events";
  TfRecordWriter writer(path, TfRecordWriter::Mode::streaming);
  writer.write(std::string_view("step 1"));
  EXPECT_EQ(read_tfrecord_file(path).size(), 1u);
  writer.write(std::string_view("step 2"));
  writer.finish();
  EXPECT_EQ(read_tfrecord_file(path).size(), 2u);
}

TEST(TfExample, FieldNumbersAreTensorFlows) {
  // Example{features(1){feature(1) map entry{key(1)="a", value(2)=Feature{int64_list(3){value(1)=[7]}}}}}
  const std::vector<uint8_t> wire = {0x0A, 0x0C, 0x0A, 0x0A, 0x0A, 0x01, 'a', 0x12, 0x05, 0x1A, 0x03, 0x0A, 0x01, 0x07};
  tensorflow::Example ex;
  ASSERT_TRUE(ex.ParseFromArray(wire.data(), int(wire.size())));
  const auto& f = ex.features().feature().at("a");
  ASSERT_TRUE(f.has_int64_list());
  EXPECT_EQ(f.int64_list().value(0), 7);
  // bytes_list = 1 holding value(1) = "x"
  const std::vector<uint8_t> bytes_wire = {0x0A, 0x0C, 0x0A, 0x0A, 0x0A, 0x01, 'b', 0x12, 0x05, 0x0A, 0x03, 0x0A, 0x01, 'x'};
  ASSERT_TRUE(ex.ParseFromArray(bytes_wire.data(), int(bytes_wire.size())));
  EXPECT_EQ(ex.features().feature().at("b").bytes_list().value(0), "x");
}

TEST(TfExample, ImageExampleRoundTrips) {
  const ImageExample in{{0xFF, 0xD8, 0xFF, 0x00, 0x42}, "jpg", 3, 224, 225};
  const std::string wire = serialize_image_example(in);
  EXPECT_EQ(serialize_image_example(in), wire);  // deterministic
  const auto out = parse_image_example(std::span(reinterpret_cast<const uint8_t*>(wire.data()), wire.size()), "ex");
  EXPECT_EQ(out.encoded, in.encoded);
  EXPECT_EQ(out.format, "jpg");
  EXPECT_EQ(out.label, 3);
  EXPECT_EQ(out.height, 224);
  EXPECT_EQ(out.width, 225);
}

TEST(TfExample, MissingKeysAreNamed) {
  tensorflow::Example ex;
  (*ex.mutable_features()->mutable_feature())["image/encoded"].mutable_bytes_list()->add_value("x");
  const std::string wire = ex.SerializeAsString();
  try {
    parse_image_example(std::span(reinterpret_cast<const uint8_t*>(wire.data()), wire.size()), "ex");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), "ex: tf.Example has no 'image/format'");
  }
  const std::vector<uint8_t> garbage = {0xFF, 0xFF, 0xFF};
  EXPECT_THROW(parse_image_example(garbage, "ex"), InputError);
}
