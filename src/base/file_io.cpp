#include "base/file_io.h"

#include <fstream>
#include <random>
#include <system_error>

#include "base/error.h"

namespace blastscan {

namespace {

template <class Bytes>
Bytes read_all(const fs::path& path, size_t max_bytes) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw InputError(path.string() + ": no such file");
  if (fs::is_directory(path, ec)) throw InputError(path.string() + ": is a directory, expected a file");
  const auto size = fs::file_size(path, ec);
  if (ec) throw InputError(path.string() + ": cannot read: " + ec.message());
  if (size > max_bytes)
    throw InputError(path.string() + ": file is " + std::to_string(size) + " bytes, limit is " +
                     std::to_string(max_bytes));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path.string() + ": cannot open for reading");
  Bytes bytes(size, 0);
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size));
  if (static_cast<size_t>(in.gcount()) != size) throw InputError(path.string() + ": short read");
  return bytes;
}

}  // namespace

std::vector<uint8_t> read_file(const fs::path& path, size_t max_bytes) {
  return read_all<std::vector<uint8_t>>(path, max_bytes);
}

std::string read_text_file(const fs::path& path, size_t max_bytes) {
  return read_all<std::string>(path, max_bytes);
}

void write_file_atomic(const fs::path& path, std::span<const uint8_t> bytes) {
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  std::random_device rd;
  fs::path tmp = path;
  tmp += ".tmp" + std::to_string(rd());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(path.string() + ": cannot open for writing");
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) {
      std::error_code ec;
      fs::remove(tmp, ec);
      throw Error(path.string() + ": write failed (disk full?)");
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw Error(path.string() + ": cannot rename into place: " + ec.message());
  }
}

void write_file_atomic(const fs::path& path, std::string_view text) {
  write_file_atomic(path, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

}  // namespace blastscan
