// The slide reader (OpenSlide: pyramidal/tiled TIFF, BigTIFF, .svs...): OpenSlide reads only
// paths, so the bytes go to a file on tmpfs first. A file OpenSlide recognises opens at its
// levels and gives RGB tiles of the size asked, or an InputError; nothing else escapes.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "base/error.h"
#include "data/slide_source.h"
#include "fuzz/fuzz_check.h"

using namespace blastscan;

namespace {

const std::filesystem::path& slide_path() {
  static const std::filesystem::path path =
      (std::filesystem::is_directory("/dev/shm") ? std::filesystem::path("/dev/shm") : std::filesystem::temp_directory_path()) /
      ("blastscan-fuzz-slide-" + std::to_string(getpid()) + ".tiff");
  return path;
}

void read_some_tiles(SlideSource& slide) {
  const cv::Size size = slide.size();
  fuzz::check(size.width > 0 && size.height > 0, "an open slide has a size");
  constexpr int kTile = 64;
  for (int y = 0; y < std::min(size.height, 2 * kTile); y += kTile)
    for (int x = 0; x < std::min(size.width, 2 * kTile); x += kTile) {
      const cv::Rect box(x, y, std::min(kTile, size.width - x), std::min(kTile, size.height - y));
      const cv::Mat tile = slide.read(box);
      fuzz::check(tile.type() == CV_8UC3 && tile.size() == box.size(), "a tile is RGB of the size asked");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::ofstream(slide_path(), std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data), std::streamsize(size));
  try {
    if (!is_slide_file(slide_path())) return 0;
    for (int level : {0, 1}) {
      const auto slide = open_slide_file(slide_path(), {.level = level});
      read_some_tiles(*slide);
    }
  } catch (const InputError&) {
  }
  return 0;
}
