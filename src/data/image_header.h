// Reads an image's format and size from its first bytes (PNG IHDR, JPEG SOFn, BMP info header,
// TIFF first IFD, read by libtiff) without decoding any pixel, and checks that the file holds all the data its
// header promises (PNG IEND, JPEG EOI, BMP rows, TIFF strips), because OpenCV decodes a
// truncated JPEG half-grey with only a warning. Other formats OpenCV knows (WebP, JPEG 2000, EXR...) are refused on purpose:
// a format we cannot size before decoding is a format we cannot guard.
#pragma once
#include <cstdint>
#include <span>
#include <string>

namespace blastscan {

enum class ImageFormat { jpeg, png, bmp, tiff };

struct ImageHeader {
  ImageFormat format;
  int64_t width = 0, height = 0;
  bool complete = true;  // false: the file ends before the data its header promises
  // What OpenCV's decoder will allocate (IMREAD_UNCHANGED): channels and bytes per channel.
  int channels = 3, bytes_per_channel = 1;
  int64_t decoded_bytes() const { return width * height * channels * bytes_per_channel; }
};

// Throws InputError("<name>: <problem>") if the bytes are not a JPEG/PNG/BMP/TIFF or the header
// itself is damaged. A truncated body is reported in `complete`, so that the caller can refuse
// an absurd size first (the clearer message for a 20000x20000 header with nothing after it).
ImageHeader read_image_header(std::span<const uint8_t> bytes, const std::string& name);

// "jpeg", "png", "bmp", "tiff": the value of tf.Example's image/format.
const char* format_name(ImageFormat format);

}  // namespace blastscan
