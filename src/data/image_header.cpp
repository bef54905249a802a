#include "data/image_header.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "base/error.h"

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
  return {ImageFormat::png, r.u32(16), r.u32(20), contains_after(bytes, 24, "IEND")};
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
      return {ImageFormat::jpeg, r.u16(pos + 5), r.u16(pos + 3), contains_after(bytes, pos, "\xFF\xD9")};
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
  if (compression == 0 && h.width > 0 && bits > 0) {
    const uint64_t stride = (uint64_t(h.width) * bits + 31) / 32 * 4;
    h.complete = uint64_t(pixel_offset) + stride * uint64_t(h.height) <= bytes.size();
  }
  return h;
}

// ---- TIFF: the first IFD's ImageWidth (256) and ImageLength (257); every strip or tile it
// points to (offsets 273/324, byte counts 279/325) must lie inside the file.
ImageHeader read_tiff(std::span<const uint8_t> bytes, const std::string& name) {
  const bool little = bytes[0] == 'I';
  ByteReader r(bytes, name, little);
  if (r.u16(2) == 43) throw InputError(name + ": BigTIFF is not supported");
  const size_t ifd = r.u32(4);
  const size_t entries = r.u16(ifd);
  struct Entry { uint16_t type = 0; uint32_t count = 0; size_t value_pos = 0; };
  std::array<Entry, 4> arrays{};  // 273, 279, 324, 325
  ImageHeader h{ImageFormat::tiff};
  auto scalar = [&](const Entry& e, size_t i) -> uint64_t {
    const size_t size = e.type == 3 ? 2 : 4;
    const size_t base = e.count * size <= 4 ? e.value_pos : r.u32(e.value_pos);
    return r.read(base + i * size, size);
  };
  for (size_t i = 0; i < entries; ++i) {
    const size_t pos = ifd + 2 + 12 * i;
    const uint16_t tag = r.u16(pos);
    const Entry e{r.u16(pos + 2), r.u32(pos + 4), pos + 8};
    if (e.type != 3 && e.type != 4) continue;  // only SHORT/LONG tags matter here
    if (tag == 256) h.width = scalar(e, 0);
    if (tag == 257) h.height = scalar(e, 0);
    if (tag == 273) arrays[0] = e;
    if (tag == 279) arrays[1] = e;
    if (tag == 324) arrays[2] = e;
    if (tag == 325) arrays[3] = e;
  }
  for (size_t k = 0; k < 4; k += 2) {
    const Entry& offsets = arrays[k];
    const Entry& counts = arrays[k + 1];
    for (uint32_t i = 0; i < std::min(offsets.count, counts.count); ++i)
      if (scalar(offsets, i) + scalar(counts, i) > bytes.size()) h.complete = false;
  }
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
