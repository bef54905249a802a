// Image decoding with OpenCV, guarded: the header is read first so absurd sizes are refused
// before any pixel is decoded. Everything comes out as 8-bit, 3-channel RGB.
#pragma once
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include <opencv2/core.hpp>

namespace blastscan {

struct ImageLimits {
  int min_side = 16;                    // smaller images carry too little to classify
  int64_t max_pixels = int64_t(1) << 26;  // 67 M pixels: a 2592x1944 slide is 5 M
  // What the decoder allocates (pixels x channels x bytes per channel, as it decodes them):
  // 67 M pixels of 8-bit RGBA fit, 16-bit RGBA of the same size does not.
  int64_t max_decoded_bytes = int64_t(1) << 28;  // 256 MiB
};

// Decodes JPEG/PNG/TIFF/BMP bytes into RGB uint8 (grayscale is replicated, alpha dropped,
// 16-bit scaled to 8). `name` names the source in errors. Throws InputError with a one-line
// reason: not an image, truncated or corrupt, too small, too large.
cv::Mat decode_image(std::span<const uint8_t> bytes, const std::string& name, const ImageLimits& limits = {});
cv::Mat load_image(const std::filesystem::path& path, const ImageLimits& limits = {});

// The bytes decode_image's decoder will allocate for these bytes, from the header alone
// (the same checks: InputError if they are not an image or exceed the limits).
int64_t decoded_size(std::span<const uint8_t> bytes, const std::string& name, const ImageLimits& limits = {});

}  // namespace blastscan
