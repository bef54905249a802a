// A slide as a source of RGB regions, read one tile at a time, so a scan never holds more of
// a slide than its tile batch. Two sources: an image already decoded by OpenCV (a JPEG/PNG
// photograph of a smear), and a slide-scanner file read through OpenSlide (pyramidal or tiled
// TIFF, BigTIFF, Aperio .svs, Hamamatsu .ndpi) at one of its levels, never loading a whole level.
// Left out on purpose: writing slides, and OpenSlide's associated images (label, macro).
#pragma once
#include <filesystem>
#include <memory>
#include <string>

#include <opencv2/core.hpp>

namespace blastscan {

class SlideSource {
 public:
  virtual ~SlideSource() = default;
  // The size of the level being read, in its own pixels.
  virtual cv::Size size() const = 0;
  // RGB uint8 pixels of `box` (inside size()). Thread-compatible: one caller at a time.
  virtual cv::Mat read(const cv::Rect& box) = 0;
  // What is being read, for messages: "2592x1944 image" or "level 1 of 3 (downsample 4) ...".
  virtual std::string describe() const = 0;
};

// A decoded RGB image as a slide (shares the pixels; read() returns views into them).
std::unique_ptr<SlideSource> image_slide(cv::Mat rgb);

// Which level of a multi-resolution slide file to read.
struct SlideLevel {
  int level = -1;               // >= 0: this level (0 = full resolution)
  double pixel_size_um = 0.0;   // > 0 and level < 0: the level whose microns per pixel is closest
                                // (needs the file's openslide.mpp-x); otherwise level 0
};

// True when OpenSlide recognises the file (.svs, .ndpi, tiled/pyramidal TIFF...). A plain
// (strip) TIFF, JPEG or PNG is not a slide file: decode it as an image.
bool is_slide_file(const std::filesystem::path& path);

// Opens a slide file at the chosen level. Throws InputError naming the file for unreadable
// files and for a level out of range.
std::unique_ptr<SlideSource> open_slide_file(const std::filesystem::path& path, const SlideLevel& level = {});

}  // namespace blastscan
