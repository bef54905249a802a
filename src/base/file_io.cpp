#include "base/file_io.h"

#include <fstream>
#include <random>
#include <system_error>

#include "base/error.h"

namespace blastscan {

namespace {

template <class Bytes>
Bytes read_all(const fs::path& path, size_t max_bytes) {
  if (const std::string problem = not_a_readable_file(path); !problem.empty()) throw InputError(path.string() + ": " + problem);
  std::error_code ec;
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

std::string not_a_readable_file(const fs::path& path) {
  std::error_code ec, link_ec;
  const fs::file_status status = fs::status(path, ec);  // follows symbolic links
  if (status.type() == fs::file_type::not_found)
    return fs::is_symlink(path, link_ec) ? "dangling symbolic link (its target does not exist)" : "no such file";
  if (ec) return "cannot read: " + ec.message();  // e.g. a loop of symbolic links
  if (fs::is_directory(status)) return "is a directory, expected a file";
  // A FIFO or a device would block the open or never end: only regular files are read.
  if (!fs::is_regular_file(status)) return "not a regular file";
  return "";
}

fs::path temporary_path_for(const fs::path& path) {
  return path.parent_path() / ("." + path.filename().string() + ".tmp" + std::to_string(std::random_device{}()));
}

std::string final_name_of_temporary(std::string_view name) {
  const size_t tmp = name.rfind(".tmp");
  if (!name.starts_with('.') || tmp == std::string_view::npos || tmp < 2 || tmp + 4 == name.size()) return "";
  for (const char c : name.substr(tmp + 4))
    if (c < '0' || c > '9') return "";
  return std::string(name.substr(1, tmp - 1));
}

std::vector<uint8_t> read_file(const fs::path& path, size_t max_bytes) {
  return read_all<std::vector<uint8_t>>(path, max_bytes);
}

std::string read_text_file(const fs::path& path, size_t max_bytes) {
  return read_all<std::string>(path, max_bytes);
}

void write_file_atomic(const fs::path& path, std::span<const uint8_t> bytes) {
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  const fs::path tmp = temporary_path_for(path);
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
