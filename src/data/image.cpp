// Guarded decode: header first (format, size, truncation; see image_header.h), then OpenCV's
// decoder, then conversion to 8-bit RGB. EXIF orientation is not applied (IMREAD_UNCHANGED):
// microscope images are stored as captured.
#include "data/image.h"

#include <mutex>

#include <opencv2/core/utils/logger.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "base/error.h"
#include "base/file_io.h"
#include "data/image_header.h"
#include "data/jpeg_check.h"

namespace blastscan {

namespace {

std::string size_text(int64_t w, int64_t h) { return std::to_string(w) + "x" + std::to_string(h); }

void check_limits(const ImageHeader& h, const std::string& name, const ImageLimits& limits) {
  if (h.width > limits.max_pixels / h.height)
    throw InputError(name + ": image is " + size_text(h.width, h.height) + ", larger than the limit of " +
                     std::to_string(limits.max_pixels / 1000000) + " M pixels");
  if (h.decoded_bytes() > limits.max_decoded_bytes)
    throw InputError(name + ": image is " + size_text(h.width, h.height) + " with " + std::to_string(h.channels) +
                     " channels of " + std::to_string(8 * h.bytes_per_channel) + " bits, " +
                     std::to_string(h.decoded_bytes() >> 20) + " MiB decoded, larger than the limit of " +
                     std::to_string(limits.max_decoded_bytes >> 20) + " MiB");
  if (std::min(h.width, h.height) < limits.min_side)
    throw InputError(name + ": image is " + size_text(h.width, h.height) + ", smaller than the " +
                     std::to_string(limits.min_side) + "-pixel minimum side");
}

// Any depth OpenCV hands back -> 8 bit. 16-bit spans 0..65535 (65535/257 = 255 exactly);
// float TIFFs are taken to span 0..1.
cv::Mat to_8bit(const cv::Mat& img, const std::string& name) {
  cv::Mat out;
  switch (img.depth()) {
    case CV_8U: return img;
    case CV_16U: img.convertTo(out, CV_8U, 1.0 / 257.0); return out;
    case CV_32F:
    case CV_64F: img.convertTo(out, CV_8U, 255.0); return out;
    default: throw InputError(name + ": unsupported pixel depth");
  }
}

cv::Mat to_rgb(const cv::Mat& img, const std::string& name) {
  cv::Mat rgb;
  switch (img.channels()) {
    case 1: cv::cvtColor(img, rgb, cv::COLOR_GRAY2RGB); break;
    case 2: {  // gray + alpha
      cv::Mat gray;
      cv::extractChannel(img, gray, 0);
      cv::cvtColor(gray, rgb, cv::COLOR_GRAY2RGB);
      break;
    }
    case 3: cv::cvtColor(img, rgb, cv::COLOR_BGR2RGB); break;
    case 4: cv::cvtColor(img, rgb, cv::COLOR_BGRA2RGB); break;
    default: throw InputError(name + ": unsupported channel count " + std::to_string(img.channels()));
  }
  return rgb;
}

// OpenCV logs failed decodes itself; our InputError already says what went wrong, once.
void quiet_opencv_logging() {
  static std::once_flag once;
  std::call_once(once, [] { cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_ERROR); });
}

}  // namespace

cv::Mat decode_image(std::span<const uint8_t> bytes, const std::string& name, const ImageLimits& limits) {
  const ImageHeader header = read_image_header(bytes, name);
  check_limits(header, name, limits);
  if (!header.complete)
    throw InputError(name + ": truncated " + format_name(header.format) + " (the file ends before its image data)");
  if (bytes.size() > size_t(INT32_MAX)) throw InputError(name + ": file too large to decode (over 2 GB)");
  if (header.format == ImageFormat::jpeg)
    if (const std::string problem = jpeg_data_problem(bytes); !problem.empty())
      throw InputError(name + ": corrupt JPEG data (libjpeg: " + problem + ")");
  quiet_opencv_logging();
  const cv::Mat encoded(1, static_cast<int>(bytes.size()), CV_8U, const_cast<uint8_t*>(bytes.data()));
  cv::Mat img;
  try {
    img = cv::imdecode(encoded, cv::IMREAD_UNCHANGED);
  } catch (const cv::Exception& e) {
    throw InputError(name + ": corrupt " + format_name(header.format) + " image (" + e.err + ")");
  }
  if (img.empty()) throw InputError(name + ": corrupt " + std::string(format_name(header.format)) + " image");
  return to_rgb(to_8bit(img, name), name);
}

int64_t decoded_size(std::span<const uint8_t> bytes, const std::string& name, const ImageLimits& limits) {
  const ImageHeader header = read_image_header(bytes, name);
  check_limits(header, name, limits);
  return header.decoded_bytes();
}

cv::Mat load_image(const std::filesystem::path& path, const ImageLimits& limits) {
  const auto bytes = read_file(path, size_t(INT32_MAX));
  return decode_image(bytes, path.string(), limits);
}

}  // namespace blastscan
