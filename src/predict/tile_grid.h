// Where the tiles of a slide go: a regular grid of overlapping (or touching) squares whose
// last row and column are shifted back to end at the slide's edge, so every pixel is covered
// and no tile hangs outside. A side shorter than the tile gets one tile as long as that side.
#pragma once
#include <vector>

#include <opencv2/core.hpp>

namespace blastscan {

// Starts along one side of `length`: 0, stride, 2*stride, ... while a tile still fits, then
// length - tile if the last one did not reach the end. tile and stride must be >= 1.
std::vector<int> tile_starts(int length, int tile, int stride);

// Row by row, top to bottom; each box lies inside `image`.
std::vector<cv::Rect> tile_grid(cv::Size image, int tile, int stride);

}  // namespace blastscan
