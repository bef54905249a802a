// Slide-scanner files through OpenSlide (C API, Debian libopenslide-dev). OpenSlide addresses
// regions in level-0 coordinates and returns premultiplied ARGB; pixels outside the scanned
// area come back transparent and are painted white, the colour of an empty glass slide.
#include <openslide.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <memory>
#include <vector>

#include "base/error.h"
#include "base/file_io.h"
#include "data/slide_source.h"
#include "data/tiff_layout.h"

namespace blastscan {

namespace {

struct OpenSlideCloser {
  void operator()(openslide_t* slide) const { openslide_close(slide); }
};
using OpenSlideHandle = std::unique_ptr<openslide_t, OpenSlideCloser>;

// Microns per level-0 pixel, or 0 when the file does not say.
double microns_per_pixel(openslide_t* slide) {
  const char* mpp = openslide_get_property_value(slide, OPENSLIDE_PROPERTY_NAME_MPP_X);
  if (!mpp) return 0.0;
  char* end = nullptr;
  const double value = std::strtod(mpp, &end);
  return end != mpp && value > 0 && std::isfinite(value) ? value : 0.0;
}

int choose_level(openslide_t* slide, const SlideLevel& want, const std::string& name) {
  const int levels = openslide_get_level_count(slide);
  if (want.level >= 0) {
    if (want.level >= levels)
      throw InputError(name + ": level " + std::to_string(want.level) + " does not exist (the slide has " +
                       std::to_string(levels) + " level" + (levels == 1 ? "" : "s") + ", 0-" +
                       std::to_string(levels - 1) + ")");
    return want.level;
  }
  const double mpp = microns_per_pixel(slide);
  if (want.pixel_size_um <= 0 || mpp <= 0) return 0;
  int best = 0;
  double best_distance = std::numeric_limits<double>::infinity();
  for (int level = 0; level < levels; ++level) {  // closest on a log scale: 2x too fine = 2x too coarse
    const double distance = std::abs(std::log(mpp * openslide_get_level_downsample(slide, level) / want.pixel_size_um));
    if (distance < best_distance) best = level, best_distance = distance;
  }
  return best;
}

class OpenSlideSlide final : public SlideSource {
 public:
  OpenSlideSlide(OpenSlideHandle slide, int level, std::string name)
      : slide_(std::move(slide)), level_(level), name_(std::move(name)) {
    int64_t w = 0, h = 0;
    openslide_get_level_dimensions(slide_.get(), level_, &w, &h);
    if (w <= 0 || h <= 0 || w > INT32_MAX || h > INT32_MAX)
      throw InputError(name_ + ": level " + std::to_string(level_) + " has an unusable size " + std::to_string(w) +
                       "x" + std::to_string(h));
    size_ = {int(w), int(h)};
    downsample_ = openslide_get_level_downsample(slide_.get(), level_);
  }

  cv::Size size() const override { return size_; }

  cv::Mat read(const cv::Rect& box) override {
    if ((box & cv::Rect({}, size_)) != box) throw Error(name_ + ": region outside the slide");
    argb_.resize(size_t(box.width) * size_t(box.height));
    const auto x0 = int64_t(std::llround(box.x * downsample_)), y0 = int64_t(std::llround(box.y * downsample_));
    openslide_read_region(slide_.get(), argb_.data(), x0, y0, level_, box.width, box.height);
    if (const char* error = openslide_get_error(slide_.get())) throw InputError(name_ + ": " + error);
    cv::Mat rgb(box.height, box.width, CV_8UC3);
    for (int y = 0; y < box.height; ++y) {
      auto* row = rgb.ptr<uint8_t>(y);
      const uint32_t* src = argb_.data() + size_t(y) * size_t(box.width);
      for (int x = 0; x < box.width; ++x) {
        const uint32_t p = src[x];
        // Premultiplied colour v = c*a/255, so over white it is v + (255 - a).
        const uint32_t a = p >> 24;
        for (int c = 0; c < 3; ++c) row[3 * x + c] = uint8_t(((p >> (16 - 8 * c)) & 0xff) + (255 - a));
      }
    }
    return rgb;
  }

  std::string describe() const override {
    return std::to_string(size_.width) + "x" + std::to_string(size_.height) + " slide level " +
           std::to_string(level_) + " of " + std::to_string(openslide_get_level_count(slide_.get())) +
           " (downsample " + std::to_string(int(std::lround(downsample_))) + ")";
  }

 private:
  OpenSlideHandle slide_;
  int level_;
  std::string name_;
  cv::Size size_;
  double downsample_ = 1.0;
  std::vector<uint32_t> argb_;  // reused between reads
};

}  // namespace

// Only regular files are asked about: OpenSlide opens the path, and opening a FIFO waits for a
// writer for ever (the file's reader then says why it cannot be read).
bool is_slide_file(const std::filesystem::path& path) {
  return not_a_readable_file(path).empty() && openslide_detect_vendor(path.c_str()) != nullptr;
}

std::unique_ptr<SlideSource> open_slide_file(const std::filesystem::path& path, const SlideLevel& level) {
  const std::string name = path.string();
  check_tiff_data_inside_file(path, name);  // before OpenSlide allocates what the file declares
  OpenSlideHandle slide(openslide_open(path.c_str()));
  if (!slide) throw InputError(name + ": not a slide file OpenSlide can read");
  if (const char* error = openslide_get_error(slide.get())) throw InputError(name + ": " + error);
  const int chosen = choose_level(slide.get(), level, name);
  return std::make_unique<OpenSlideSlide>(std::move(slide), chosen, name);
}

}  // namespace blastscan
