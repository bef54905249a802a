#include "formats/tfrecord.h"

#include <array>

#include "base/error.h"
#include "base/file_io.h"
#include "formats/crc32c.h"

namespace blastscan {

namespace {

template <size_t N>
std::array<uint8_t, N> little_endian(uint64_t v) {
  std::array<uint8_t, N> b{};
  for (size_t i = 0; i < N; ++i) b[i] = static_cast<uint8_t>(v >> (8 * i));
  return b;
}

uint64_t read_little_endian(std::span<const uint8_t> b) {
  uint64_t v = 0;
  for (size_t i = 0; i < b.size(); ++i) v |= uint64_t(b[i]) << (8 * i);
  return v;
}

}  // namespace

// ---- writer

TfRecordWriter::TfRecordWriter(std::filesystem::path path, Mode mode) : path_(std::move(path)), mode_(mode) {
  if (path_.has_parent_path()) std::filesystem::create_directories(path_.parent_path());
  open_path_ = path_;
  if (mode_ == Mode::atomic) open_path_ = temporary_path_for(path_);
  out_.open(open_path_, std::ios::binary | std::ios::trunc);
  if (!out_) throw Error(path_.string() + ": cannot open for writing");
}

TfRecordWriter::~TfRecordWriter() {
  if (finished_) return;
  out_.close();
  if (mode_ == Mode::atomic) {
    std::error_code ec;
    std::filesystem::remove(open_path_, ec);
  }
}

void TfRecordWriter::write(std::span<const uint8_t> record) {
  const auto length = little_endian<8>(record.size());
  const auto length_crc = little_endian<4>(mask_crc32c(crc32c(length)));
  const auto data_crc = little_endian<4>(mask_crc32c(crc32c(record)));
  out_.write(reinterpret_cast<const char*>(length.data()), length.size());
  out_.write(reinterpret_cast<const char*>(length_crc.data()), length_crc.size());
  out_.write(reinterpret_cast<const char*>(record.data()), static_cast<std::streamsize>(record.size()));
  out_.write(reinterpret_cast<const char*>(data_crc.data()), data_crc.size());
  if (mode_ == Mode::streaming) out_.flush();
  if (!out_) throw Error(path_.string() + ": write failed (disk full?)");
}

void TfRecordWriter::write(std::string_view record) {
  write(std::span(reinterpret_cast<const uint8_t*>(record.data()), record.size()));
}

void TfRecordWriter::finish() {
  if (finished_) return;
  out_.close();
  if (!out_) throw Error(path_.string() + ": write failed (disk full?)");
  if (mode_ == Mode::atomic) {
    std::error_code ec;
    std::filesystem::rename(open_path_, path_, ec);
    if (ec) throw Error(path_.string() + ": cannot rename into place: " + ec.message());
  }
  finished_ = true;
}

// ---- reader

TfRecordReader::TfRecordReader(std::span<const uint8_t> bytes, std::string name)
    : bytes_(bytes), name_(std::move(name)) {}

std::optional<std::span<const uint8_t>> TfRecordReader::next() {
  if (pos_ == bytes_.size()) return std::nullopt;
  const std::string where = name_ + ": record " + std::to_string(index_);
  const size_t left = bytes_.size() - pos_;
  if (left < 12) throw InputError(where + ": truncated header");
  const auto length_bytes = bytes_.subspan(pos_, 8);
  if (mask_crc32c(crc32c(length_bytes)) != read_little_endian(bytes_.subspan(pos_ + 8, 4)))
    throw InputError(where + ": length CRC mismatch (corrupt file)");
  const uint64_t length = read_little_endian(length_bytes);
  if (length > left - 12 || left - 12 - length < 4) throw InputError(where + ": truncated data");
  const auto data = bytes_.subspan(pos_ + 12, length);
  if (mask_crc32c(crc32c(data)) != read_little_endian(bytes_.subspan(pos_ + 12 + length, 4)))
    throw InputError(where + ": data CRC mismatch (corrupt file)");
  pos_ += 12 + length + 4;
  ++index_;
  return data;
}

std::vector<std::vector<uint8_t>> read_tfrecord_file(const std::filesystem::path& path) {
  const auto bytes = read_file(path);
  TfRecordReader reader(bytes, path.string());
  std::vector<std::vector<uint8_t>> records;
  while (auto record = reader.next()) records.emplace_back(record->begin(), record->end());
  return records;
}

}  // namespace blastscan
