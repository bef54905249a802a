#include "predict/tile_grid.h"

#include <algorithm>

#include "base/error.h"

namespace blastscan {

std::vector<int> tile_starts(int length, int tile, int stride) {
  if (length < 1 || tile < 1 || stride < 1) throw Error("tile_starts: length, tile and stride must be >= 1");
  if (tile >= length) return {0};
  std::vector<int> starts;
  for (int start = 0; start + tile <= length; start += stride) starts.push_back(start);
  if (starts.back() + tile < length) starts.push_back(length - tile);  // shifted back inside
  return starts;
}

std::vector<cv::Rect> tile_grid(cv::Size image, int tile, int stride) {
  const auto xs = tile_starts(image.width, tile, stride), ys = tile_starts(image.height, tile, stride);
  const int tw = std::min(tile, image.width), th = std::min(tile, image.height);
  std::vector<cv::Rect> boxes;
  boxes.reserve(xs.size() * ys.size());
  for (int y : ys)
    for (int x : xs) boxes.emplace_back(x, y, tw, th);
  return boxes;
}

}  // namespace blastscan
