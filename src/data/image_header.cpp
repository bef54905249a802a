#include "data/image_header.h"

#include <tiffio.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string_view>

#include "base/error.h"
#include "data/tiff_layout.h"

namespace blastscan {

namespace {

// Bounds-checked reads of big- and little-endian integers; a read past the end means the
// header itself is cut off.
class ByteReader {
 public:
  ByteReader(std::span<const uint8_t> bytes, const std::string& name, bool little_endian)
      : bytes_(bytes), name_(name), little_(little_endian) {}

  uint64_t read(size_t pos, size_t n) const {
    if (pos > bytes_.size() || n > bytes_.size() - pos) throw InputError(name_ + ": truncated image header");
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) {
      const uint64_t b = bytes_[pos + i];
      v |= little_ ? b << (8 * i) : b << (8 * (n - 1 - i));
    }
    return v;
  }
  uint16_t u16(size_t pos) const { return static_cast<uint16_t>(read(pos, 2)); }
  uint32_t u32(size_t pos) const { return static_cast<uint32_t>(read(pos, 4)); }

 private:
  std::span<const uint8_t> bytes_;
  const std::string& name_;
  bool little_;
};

bool starts_with(std::span<const uint8_t> bytes, std::string_view magic) {
  return bytes.size() >= magic.size() && std::equal(magic.begin(), magic.end(), bytes.begin(),
                                                     [](char m, uint8_t b) { return uint8_t(m) == b; });
}

// True if `needle` occurs in bytes at or after `from`.
bool contains_after(std::span<const uint8_t> bytes, size_t from, std::string_view needle) {
  if (from >= bytes.size()) return false;
  auto it = std::search(bytes.begin() + from, bytes.end(), needle.begin(), needle.end(),
                        [](uint8_t b, char n) { return b == uint8_t(n); });
  return it != bytes.end();
}

// ---- PNG: signature, then the IHDR chunk (width, height big-endian); the last chunk is IEND.
ImageHeader read_png(std::span<const uint8_t> bytes, const std::string& name) {
  ByteReader r(bytes, name, false);
  if (r.u32(12) != 0x49484452)  // "IHDR"
    throw InputError(name + ": corrupt PNG: first chunk is not IHDR");
  ImageHeader h{ImageFormat::png, r.u32(16), r.u32(20), contains_after(bytes, 24, "IEND")};
  const auto bit_depth = r.read(24, 1), color_type = r.read(25, 1);
  h.channels = color_type == 0 ? 1 : color_type == 2 ? 3 : 4;  // gray, RGB; alpha or palette: up to 4
  h.bytes_per_channel = bit_depth == 16 ? 2 : 1;
  return h;
}

// ---- JPEG: walk the marker segments up to the first frame header (SOF0..SOF15 without
// DHT C4, JPG C8, DAC CC), which holds height and width. Entropy-coded data never contains
// FF D9 (FF is stuffed as FF 00), so an EOI after the frame header marks a complete file.
ImageHeader read_jpeg(std::span<const uint8_t> bytes, const std::string& name) {
  ByteReader r(bytes, name, false);
  size_t pos = 2;
  while (true) {
    if (r.read(pos, 1) != 0xFF) throw InputError(name + ": corrupt JPEG: expected a marker");
    while (r.read(pos, 1) == 0xFF) ++pos;  // fill bytes
    const auto marker = static_cast<uint8_t>(r.read(pos, 1));
    ++pos;
    const bool standalone = marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8);
    if (standalone) continue;
    if (marker == 0xDA || marker == 0xD9) throw InputError(name + ": corrupt JPEG: no frame header before the scan");
    const bool frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (frame) {
      ImageHeader h{ImageFormat::jpeg, r.u16(pos + 5), r.u16(pos + 3), contains_after(bytes, pos, "\xFF\xD9")};
      h.channels = r.read(pos + 7, 1) == 1 ? 1 : 3;  // decoded to 8-bit gray or colour
      return h;
    }
    pos += r.u16(pos);  // the length counts itself but not the marker
  }
}

// ---- BMP: BITMAPCOREHEADER (12 bytes, 16-bit sizes) or BITMAPINFOHEADER and later (32-bit,
// height negative for top-down rows). Uncompressed pixel data must fit in the file.
ImageHeader read_bmp(std::span<const uint8_t> bytes, const std::string& name) {
  ByteReader r(bytes, name, true);
  const uint32_t info_size = r.u32(14);
  ImageHeader h{ImageFormat::bmp};
  if (info_size == 12) {
    h.width = r.u16(18);
    h.height = r.u16(20);
    return h;
  }
  h.width = static_cast<int32_t>(r.u32(18));
  h.height = static_cast<int32_t>(r.u32(22));
  h.height = h.height < 0 ? -h.height : h.height;
  const uint32_t pixel_offset = r.u32(10), bits = r.u16(28), compression = r.u32(30);
  h.channels = bits == 32 ? 4 : 3;
  if (compression == 0 && h.width > 0 && bits > 0) {
    const uint64_t stride = (uint64_t(h.width) * bits + 31) / 32 * 4;
    h.complete = uint64_t(pixel_offset) + stride * uint64_t(h.height) <= bytes.size();
  }
  return h;
}

// ---- TIFF: read by libtiff itself, the library OpenCV decodes with, so that the size checked
// is the size that will be decoded (a file with two ImageWidth tags: libtiff takes the first,
// a parser of our own may take the last). Every strip or tile must lie inside the file.
struct MemoryFile {
  std::span<const uint8_t> bytes;
  uint64_t pos = 0;
  std::string error;  // libtiff's first complaint
};

tmsize_t tiff_read(thandle_t handle, void* dst, tmsize_t n) {
  auto& f = *static_cast<MemoryFile*>(handle);
  const uint64_t left = f.pos < f.bytes.size() ? f.bytes.size() - f.pos : 0;
  const size_t count = size_t(std::min<uint64_t>(left, uint64_t(n)));
  std::memcpy(dst, f.bytes.data() + f.pos, count);
  f.pos += count;
  return tmsize_t(count);
}
tmsize_t tiff_write(thandle_t, void*, tmsize_t) { return 0; }
toff_t tiff_seek(thandle_t handle, toff_t offset, int whence) {
  auto& f = *static_cast<MemoryFile*>(handle);
  const uint64_t base = whence == SEEK_CUR ? f.pos : whence == SEEK_END ? f.bytes.size() : 0;
  f.pos = base + offset;
  return f.pos;
}
int tiff_close(thandle_t) { return 0; }
toff_t tiff_size(thandle_t handle) { return static_cast<MemoryFile*>(handle)->bytes.size(); }
int tiff_error(TIFF*, void* user, const char*, const char* fmt, va_list args) {
  auto& f = *static_cast<MemoryFile*>(user);
  if (f.error.empty()) {
    char text[256];
    std::vsnprintf(text, sizeof text, fmt, args);
    f.error = text;
  }
  return 1;  // handled: nothing goes to stderr
}

ImageHeader read_tiff(std::span<const uint8_t> bytes, const std::string& name) {
  // libtiff cannot open a file whose first directory lies past its end (OpenCV writes it last).
  const ByteReader r(bytes, name, bytes[0] == 'I');
  if (uint64_t(r.u32(4)) + 2 > bytes.size()) throw InputError(name + ": truncated TIFF (the file ends before its directory)");
  MemoryFile file{bytes, 0, {}};
  const TiffOpenOptions opts = quiet_tiff_options(tiff_error, &file);
  // "m": no memory mapping (there is no file to map).
  std::unique_ptr<TIFF, void (*)(TIFF*)> tif(TIFFClientOpenExt(name.c_str(), "rm", &file, tiff_read, tiff_write, tiff_seek,
                                                             tiff_close, tiff_size, nullptr, nullptr, opts.get()),
                                           TIFFClose);
  if (!tif) throw InputError(name + ": corrupt TIFF" + (file.error.empty() ? "" : " (" + file.error + ")"));
  uint32_t width = 0, height = 0;
  uint16_t samples = 1, bits = 1;
  TIFFGetField(tif.get(), TIFFTAG_IMAGEWIDTH, &width);
  TIFFGetField(tif.get(), TIFFTAG_IMAGELENGTH, &height);
  TIFFGetFieldDefaulted(tif.get(), TIFFTAG_SAMPLESPERPIXEL, &samples);
  TIFFGetFieldDefaulted(tif.get(), TIFFTAG_BITSPERSAMPLE, &bits);
  ImageHeader h{ImageFormat::tiff, width, height};
  h.channels = std::clamp<int>(samples, 1, 4);  // OpenCV gives gray, BGR or BGRA
  h.bytes_per_channel = bits <= 8 ? 1 : bits <= 16 ? 2 : 4;
  const TiffPieces pieces = tiff_pieces(tif.get(), bytes.size());
  h.complete = pieces.listed && pieces.outside.empty();
  return h;
}

}  // namespace

ImageHeader read_image_header(std::span<const uint8_t> bytes, const std::string& name) {
  if (bytes.empty()) throw InputError(name + ": empty file");
  ImageHeader h;
  if (starts_with(bytes, "\x89PNG\r\n\x1A\n")) h = read_png(bytes, name);
  else if (starts_with(bytes, "\xFF\xD8\xFF")) h = read_jpeg(bytes, name);
  else if (starts_with(bytes, "BM")) h = read_bmp(bytes, name);
  else if (starts_with(bytes, "II*") || starts_with(bytes, std::string_view("MM\0*", 4)) ||
           starts_with(bytes, "II+") || starts_with(bytes, std::string_view("MM\0+", 4)))
    h = read_tiff(bytes, name);
  else throw InputError(name + ": not an image (JPEG, PNG, TIFF or BMP expected)");
  if (h.width <= 0 || h.height <= 0)
    throw InputError(name + ": corrupt image header (size " + std::to_string(h.width) + "x" +
                     std::to_string(h.height) + ")");
  return h;
}

const char* format_name(ImageFormat format) {
  switch (format) {
    case ImageFormat::jpeg: return "jpeg";
    case ImageFormat::png: return "png";
    case ImageFormat::bmp: return "bmp";
    case ImageFormat::tiff: return "tiff";
  }
  return "unknown";
}

}  // namespace blastscan
