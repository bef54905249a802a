#include "report/tile_heatmap.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <opencv2/imgproc.hpp>

#include "base/error.h"
#include "report/colour_overlay.h"

namespace blastscan {

namespace {

cv::Rect scaled(const cv::Rect& box, double scale, cv::Size limit) {
  const int x0 = int(std::floor(box.x * scale)), y0 = int(std::floor(box.y * scale));
  const int x1 = int(std::ceil(box.br().x * scale)), y1 = int(std::ceil(box.br().y * scale));
  return cv::Rect(x0, y0, x1 - x0, y1 - y0) & cv::Rect({}, limit);
}

}  // namespace

cv::Mat render_tile_heatmap(const SlideScan& scan, float threshold) {
  if (scan.overview.empty()) throw Error("tile heat-map: the scan kept no overview image");
  const double scale = scan.overview_scale;
  cv::Mat values(scan.overview.size(), CV_32F, cv::Scalar(std::numeric_limits<float>::quiet_NaN()));
  for (const auto& tile : scan.tiles) {
    if (tile.background) continue;
    cv::Mat area = values(scaled(tile.box, scale, values.size()));
    for (int y = 0; y < area.rows; ++y) {
      auto* v = area.ptr<float>(y);
      for (int x = 0; x < area.cols; ++x)
        if (std::isnan(v[x]) || v[x] < tile.all_probability) v[x] = tile.all_probability;
    }
  }
  cv::Mat out = blend_colour_scale(scan.overview, values);
  for (const auto& tile : scan.tiles)
    if (!tile.background && tile.all_probability >= threshold)
      cv::rectangle(out, scaled(tile.box, scale, out.size()), cv::Scalar(255, 255, 255), 1);
  const auto& s = scan.summary;
  return add_legend(out, {.title = fmt::format("ALL probability per tile ({} tiles of {} px, stride {})", s.total,
                                               s.size, s.stride),
                          .low = "0",
                          .high = "1",
                          .mark = threshold,
                          .mark_label = fmt::format("threshold {:.2f}", threshold),
                          .note = fmt::format("outlined: {} ALL tiles; uncoloured: {} background tiles (skipped)",
                                              s.all, s.background)});
}

}  // namespace blastscan
