// Image bytes -> guarded decode -> preprocessing: a tensor or an InputError. The limits are
// checked against the header, so the decoder must agree with the header (else a small header
// could hide a huge decode) and what comes out stays within the limits. A budget of 4 M pixels
// (the CLI allows 67 M) keeps one run under a second; the checks are the same code.
#include <cmath>
#include <vector>

#include "base/error.h"
#include "data/image.h"
#include "data/image_header.h"
#include "data/preprocess.h"
#include "fuzz/fuzz_check.h"

using namespace blastscan;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  const ImageLimits limits{.max_pixels = int64_t(1) << 22};
  cv::Mat rgb;
  try {
    rgb = decode_image(bytes, "fuzz image", limits);
  } catch (const InputError&) {
    return 0;
  }
  fuzz::check(rgb.type() == CV_8UC3, "decoded images are 8-bit RGB");
  fuzz::check(int64_t(rgb.cols) * rgb.rows <= limits.max_pixels && std::min(rgb.cols, rgb.rows) >= limits.min_side,
              "decoded images are within the limits");
  const ImageHeader header = read_image_header(bytes, "fuzz image");
  fuzz::check(header.width == rgb.cols && header.height == rgb.rows, "the decoder decodes the size the header says");
  constexpr int kSize = 299;
  std::vector<float> tensor(size_t(kSize) * kSize * 3);
  for (const auto& recipe : preprocessing_recipes()) {
    preprocess_for_eval(recipe, rgb, kSize, tensor.data());
    // Float bilinear weights may sum to 1 + 1 ulp, hence the small margin.
    for (float v : tensor)
      fuzz::check(std::isfinite(v) && std::abs(v) <= 1.f + 1e-5f, "preprocessed values are in [-1,1]");
  }
  return 0;
}
