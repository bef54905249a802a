// TFRecord files: a sequence of records, each framed as
//   uint64 length (little-endian) | uint32 masked CRC-32C of the 8 length bytes |
//   length bytes of data | uint32 masked CRC-32C of the data,
// the format of tf.data.TFRecordDataset and of TensorBoard's event files. No compression
// (TFRecord's optional GZIP/ZLIB wrappers are not written or read).
#pragma once
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace blastscan {

// Appends records to a file. Atomic mode (the default, for datasets) writes a temporary beside
// the target and renames it into place in finish(); destroying an unfinished writer (an error,
// Ctrl-C unwinding) removes the temporary, so a half-written shard never appears. Streaming
// mode writes the target directly and flushes after each record, so TensorBoard can follow a
// training run's event file while it grows.
class TfRecordWriter {
 public:
  enum class Mode { atomic, streaming };
  explicit TfRecordWriter(std::filesystem::path path, Mode mode = Mode::atomic);
  ~TfRecordWriter();
  TfRecordWriter(const TfRecordWriter&) = delete;
  TfRecordWriter& operator=(const TfRecordWriter&) = delete;

  void write(std::span<const uint8_t> record);
  void write(std::string_view record);
  // Closes the file and (atomic mode) renames it into place. Throws Error on a failed write.
  void finish();

 private:
  std::filesystem::path path_, open_path_;
  Mode mode_;
  std::ofstream out_;
  bool finished_ = false;
};

// Reads records back from the bytes of a TFRecord file, checking both CRCs of every record.
// Throws InputError("<name>: record <i>: <problem>") on truncation or a CRC mismatch.
class TfRecordReader {
 public:
  TfRecordReader(std::span<const uint8_t> bytes, std::string name);
  // The next record's data (a view into the bytes), or nothing at the end of the file.
  std::optional<std::span<const uint8_t>> next();

 private:
  std::span<const uint8_t> bytes_;
  std::string name_;
  size_t pos_ = 0, index_ = 0;
};

// Every record of a TFRecord file, copied out.
std::vector<std::vector<uint8_t>> read_tfrecord_file(const std::filesystem::path& path);

}  // namespace blastscan
