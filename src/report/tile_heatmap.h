// The tile heat-map of a scanned slide: its downscaled overview with each classified tile's ALL
// probability as a colour (where tiles overlap, the hottest one shows), tiles at or above the
// threshold outlined, background tiles left uncoloured, and a legend. Drawing only: the scan
// (predict/slide_scan.h) computed every number.
#pragma once
#include <opencv2/core.hpp>

#include "predict/slide_scan.h"

namespace blastscan {

// RGB. Throws Error when the scan kept no overview (TilingOptions::overview_side was 0).
cv::Mat render_tile_heatmap(const SlideScan& scan, float threshold);

}  // namespace blastscan
