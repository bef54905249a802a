#include "data/tiff_layout.h"

#include <sys/types.h>

#include <cstdio>
#include <iterator>
#include <map>
#include <memory>

#include "base/error.h"

namespace blastscan {

namespace {
int tiff_drop(TIFF*, void*, const char*, const char*, va_list) { return 1; }  // handled: nothing on stderr
}  // namespace

TiffOpenOptions quiet_tiff_options(TIFFErrorHandlerExtR on_error, void* user) {
  TiffOpenOptions opts(TIFFOpenOptionsAlloc(), TIFFOpenOptionsFree);
  TIFFOpenOptionsSetErrorHandlerExtR(opts.get(), on_error ? on_error : tiff_drop, user);
  TIFFOpenOptionsSetWarningHandlerExtR(opts.get(), tiff_drop, nullptr);
  return opts;
}

TiffPieces tiff_pieces(TIFF* tif, uint64_t file_size) {
  const bool tiled = TIFFIsTiled(tif);
  const uint32_t pieces = tiled ? TIFFNumberOfTiles(tif) : TIFFNumberOfStrips(tif);
  uint64_t *offsets = nullptr, *counts = nullptr;
  TiffPieces result;
  result.listed = TIFFGetField(tif, tiled ? TIFFTAG_TILEOFFSETS : TIFFTAG_STRIPOFFSETS, &offsets) &&
                  TIFFGetField(tif, tiled ? TIFFTAG_TILEBYTECOUNTS : TIFFTAG_STRIPBYTECOUNTS, &counts);
  if (!result.listed) return result;
  for (uint32_t i = 0; i < pieces; ++i)
    if (offsets[i] > file_size || counts[i] > file_size - offsets[i]) {
      result.outside = (tiled ? "tile " : "strip ") + std::to_string(i) + " claims " + std::to_string(counts[i]) +
                       " bytes at offset " + std::to_string(offsets[i]);
      break;
    }
  return result;
}

namespace {

// The size of one value of a TIFF 6.0 or BigTIFF field type; 0 for a type neither defines
// (OpenSlide refuses such an entry and libtiff skips it, so neither allocates for it).
uint64_t value_size(uint64_t type) {
  switch (type) {
    case TIFF_BYTE: case TIFF_ASCII: case TIFF_SBYTE: case TIFF_UNDEFINED: return 1;
    case TIFF_SHORT: case TIFF_SSHORT: return 2;
    case TIFF_LONG: case TIFF_SLONG: case TIFF_FLOAT: case TIFF_IFD: return 4;
    case TIFF_RATIONAL: case TIFF_SRATIONAL: case TIFF_DOUBLE: case TIFF_LONG8: case TIFF_SLONG8: case TIFF_IFD8: return 8;
    default: return 0;
  }
}

// No slide scanner writes more than a few hundred directories, and OpenSlide keeps a table for
// each one it reads: a file of tiny chained directories must not cost more than this.
constexpr uint64_t kMaxDirectories = 65536;

// Unsigned integers of either byte order read one after another from a file (stdio buffers).
class TiffFileReader {
 public:
  explicit TiffFileReader(const std::filesystem::path& path) : file_(std::fopen(path.c_str(), "rb"), std::fclose) {}
  bool is_open() const { return file_ != nullptr; }
  void set_little_endian(bool little) { little_ = little; }
  bool seek(uint64_t offset) { return fseeko(file_.get(), off_t(offset), SEEK_SET) == 0; }
  // False if the file ends first.
  bool read(size_t bytes, uint64_t& value) {
    uint8_t b[8];
    if (std::fread(b, 1, bytes, file_.get()) != bytes) return false;
    value = 0;
    for (size_t i = 0; i < bytes; ++i) value |= uint64_t(b[i]) << (8 * (little_ ? i : bytes - 1 - i));
    return true;
  }

 private:
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file_;
  bool little_ = true;
};

// The header (II or MM, 42 or BigTIFF's 43 with 8-byte offsets) and the chain of directories
// it starts, read as OpenSlide reads them: a count, that many entries (tag, type, count, then
// the value itself if it fits in the offset field, else its offset), the next directory's offset.
void check_directories(const std::filesystem::path& path, const std::string& name, uint64_t file_size) {
  TiffFileReader file(path);
  uint64_t order = 0, version = 0, offset_size = 0, zero = 0, offset = 0;
  if (!file.is_open() || !file.read(2, order) || (order != 0x4949 && order != 0x4d4d)) return;
  file.set_little_endian(order == 0x4949);
  if (!file.read(2, version) || (version != 42 && version != 43)) return;
  const bool big = version == 43;
  if (big && (!file.read(2, offset_size) || offset_size != 8 || !file.read(2, zero) || zero != 0)) return;
  const size_t count_bytes = big ? 8 : 2, entry_count_bytes = big ? 8 : 4, offset_bytes = big ? 8 : 4;
  const uint64_t entry_bytes = 4 + entry_count_bytes + offset_bytes;
  if (!file.read(offset_bytes, offset)) return;
  const std::string past_the_end = "past the end of the file (" + std::to_string(file_size) + " bytes)";
  std::map<uint64_t, uint64_t> directories;  // where each directory read so far starts -> ends
  for (uint64_t index = 0; offset != 0; ++index) {
    const std::string directory = name + ": TIFF directory " + std::to_string(index);
    if (index == kMaxDirectories)
      throw InputError(name + ": more than " + std::to_string(kMaxDirectories) + " TIFF directories");
    uint64_t entries = 0;
    if (offset > file_size || count_bytes > file_size - offset || !file.seek(offset) || !file.read(count_bytes, entries))
      throw InputError(directory + " at offset " + std::to_string(offset) + " starts " + past_the_end);
    const uint64_t room = file_size - offset - count_bytes;
    if (entries > room / entry_bytes || room - entries * entry_bytes < offset_bytes)
      throw InputError(directory + " at offset " + std::to_string(offset) + " declares " + std::to_string(entries) +
                       " entries of " + std::to_string(entry_bytes) + " bytes, running " + past_the_end);
    const uint64_t end = offset + count_bytes + entries * entry_bytes + offset_bytes;
    const auto after = directories.lower_bound(offset);
    if ((after != directories.end() && after->first < end) ||
        (after != directories.begin() && std::prev(after)->second > offset))
      throw InputError(directory + " at offset " + std::to_string(offset) +
                       " overlaps an earlier directory (a damaged or looping directory chain)");
    directories.emplace(offset, end);
    for (uint64_t entry = 0; entry < entries; ++entry) {
      uint64_t tag = 0, type = 0, count = 0, value = 0;
      if (!file.read(2, tag) || !file.read(2, type) || !file.read(entry_count_bytes, count) || !file.read(offset_bytes, value))
        throw InputError(directory + ": the file changed while it was read");
      const uint64_t size = value_size(type);
      if (size == 0 || count <= offset_bytes / size) continue;  // no data, or stored inline in the entry
      if (value > file_size || count > (file_size - value) / size)
        throw InputError(directory + ": entry " + std::to_string(entry) + " (tag " + std::to_string(tag) + ") declares " +
                         std::to_string(count) + " values of " + std::to_string(size) + (size == 1 ? " byte" : " bytes") + " at offset " +
                         std::to_string(value) + ", " + past_the_end);
    }
    if (!file.read(offset_bytes, offset)) throw InputError(directory + ": the file changed while it was read");
  }
}

// The strips and tiles of every directory, as libtiff reads them (libtiff takes the first of
// two duplicate tags, say: what it sees is what OpenSlide will read). Files libtiff cannot
// open are left to OpenSlide (its other formats, or its error).
void check_pieces(const std::filesystem::path& path, const std::string& name, uint64_t file_size) {
  const TiffOpenOptions opts = quiet_tiff_options();
  std::unique_ptr<TIFF, void (*)(TIFF*)> tif(TIFFOpenExt(path.c_str(), "rm", opts.get()), TIFFClose);
  if (!tif) return;
  int directory = 0;
  do {
    // A directory without pixel data is OpenSlide's to refuse if it needs one.
    const TiffPieces pieces = tiff_pieces(tif.get(), file_size);
    if (!pieces.outside.empty())
      throw InputError(name + ": TIFF directory " + std::to_string(directory) + ": " + pieces.outside +
                       ", past the end of the file (" + std::to_string(file_size) + " bytes)");
    ++directory;
  } while (TIFFReadDirectory(tif.get()));
}

}  // namespace

void check_tiff_data_inside_file(const std::filesystem::path& path, const std::string& name) {
  std::error_code ec;
  const uint64_t file_size = std::filesystem::file_size(path, ec);
  if (ec) return;  // the slide reader says why it cannot read the file
  check_directories(path, name, file_size);
  check_pieces(path, name, file_size);
}

}  // namespace blastscan
