// A synthetic blood smear whose truth is known: ALL-IDB2 cell crops (all_idb2_lowres) placed at
// recorded positions on a smear-like background (plasma of the crops' own mean border colour,
// red cells a little darker with paler centres, sensor noise), with a bare band along the right
// edge like the thin end of a smear. Each crop is pasted through a feathered disc, so no square
// crop edge tells the network where a cell is.
#pragma once
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "common/paths.h"
#include "data/image.h"

namespace blastscan::testing {

struct PlacedCell {
  cv::Point centre;
  bool all = false;  // a lymphoblast (ImNNN_1) or a healthy cell (ImNNN_0)
  std::filesystem::path file;
};

struct SyntheticSlide {
  cv::Mat rgb;
  std::vector<PlacedCell> cells;
  int bare_from_x = 0;  // no red cells from this column on
};

// The mean colour of the crops' outer 6-pixel frames: plasma and red cells as each crop shows them.
inline cv::Scalar border_colour(const std::vector<cv::Mat>& cells) {
  cv::Scalar sum(0, 0, 0);
  for (const auto& cell : cells) {
    cv::Mat mask(cell.size(), CV_8U, cv::Scalar(255));
    mask(cv::Rect(6, 6, cell.cols - 12, cell.rows - 12)).setTo(0);
    sum += cv::mean(cell, mask);
  }
  return sum * (1.0 / double(std::max<size_t>(1, cells.size())));
}

inline void paint_red_cells(cv::Mat& rgb, int width, cv::Scalar plasma, std::mt19937& rng) {
  std::uniform_int_distribution<int> x(0, width - 1), y(0, rgb.rows - 1), radius(12, 16);
  const int count = width * rgb.rows / 1400;  // about a third of the area
  for (int i = 0; i < count; ++i) {
    const cv::Point c(x(rng), y(rng));
    const int r = radius(rng);
    cv::circle(rgb, c, r, plasma * 0.8, cv::FILLED, cv::LINE_AA);
    cv::circle(rgb, c, r * 9 / 20, plasma * 0.9, cv::FILLED, cv::LINE_AA);
  }
}

// Pastes `cell` centred at c through a disc of radius r feathered over a few pixels.
inline void paste_cell(cv::Mat& rgb, const cv::Mat& cell, cv::Point c, int r) {
  const cv::Rect box(c.x - cell.cols / 2, c.y - cell.rows / 2, cell.cols, cell.rows);
  cv::Mat mask(cell.size(), CV_32F, cv::Scalar(0));
  cv::circle(mask, {cell.cols / 2, cell.rows / 2}, r, cv::Scalar(1), cv::FILLED, cv::LINE_AA);
  cv::GaussianBlur(mask, mask, {0, 0}, 3.0);
  cv::Mat dst = rgb(box);
  for (int y = 0; y < cell.rows; ++y)
    for (int x = 0; x < cell.cols; ++x) {
      const float a = mask.at<float>(y, x);
      auto& d = dst.at<cv::Vec3b>(y, x);
      const auto& s = cell.at<cv::Vec3b>(y, x);
      for (int k = 0; k < 3; ++k) d[k] = cv::saturate_cast<uint8_t>(a * s[k] + (1 - a) * d[k]);
    }
}

// Cells on a jittered grid with `spacing` pixels between centres, taken in turn from `cells`
// (whose ALL-IDB names give their truth). The right `bare_fraction` of the slide stays bare.
inline SyntheticSlide make_synthetic_slide(cv::Size size, const std::vector<std::filesystem::path>& cells,
                                           unsigned seed, int spacing = 160, double bare_fraction = 0.2) {
  std::mt19937 rng(seed);
  SyntheticSlide slide;
  slide.bare_from_x = int(size.width * (1.0 - bare_fraction));
  const int columns = slide.bare_from_x / spacing, rows = size.height / spacing;  // cells that fit
  std::vector<cv::Mat> crops;
  for (size_t i = 0; i < cells.size() && int(i) < columns * rows; ++i) crops.push_back(load_image(cells[i]));
  const cv::Scalar plasma = border_colour(crops);
  slide.rgb = cv::Mat(size, CV_8UC3, plasma * 1.05);
  paint_red_cells(slide.rgb, slide.bare_from_x, plasma, rng);
  std::uniform_int_distribution<int> jitter(-spacing / 8, spacing / 8);
  size_t next = 0;
  for (int y = spacing / 2; y + spacing / 2 <= size.height && next < crops.size(); y += spacing)
    for (int x = spacing / 2; x + spacing / 2 <= slide.bare_from_x && next < crops.size(); x += spacing) {
      const cv::Mat& cell = crops[next];
      const cv::Point c(x + jitter(rng), y + jitter(rng));
      paste_cell(slide.rgb, cell, c, cell.cols * 9 / 20);
      slide.cells.push_back({c, cells[next].stem().string().back() == '1', cells[next]});
      ++next;
    }
  cv::Mat blurred, noise(size, CV_16SC3);
  cv::GaussianBlur(slide.rgb, blurred, {3, 3}, 0.8);
  cv::RNG(seed).fill(noise, cv::RNG::NORMAL, 0, 3);
  blurred.convertTo(blurred, CV_16SC3);
  cv::Mat(blurred + noise).convertTo(slide.rgb, CV_8UC3);
  return slide;
}

// Writes rgb as PNG beside `tiff` and converts it with libvips into a lossless (deflate)
// pyramidal tiled BigTIFF (or classic TIFF), the kind of file slide scanners write. Returns vips' exit status.
inline int write_pyramidal_tiff(const std::filesystem::path& tiff, const cv::Mat& rgb, int tile = 128, bool bigtiff = true) {
  cv::Mat bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  const std::filesystem::path png = tiff.string() + ".png";
  cv::imwrite(png.string(), bgr);
  std::string out;
  return run_command("vips tiffsave " + png.string() + " " + tiff.string() +
                         " --tile --pyramid " + (bigtiff ? "--bigtiff " : "") + "--compression deflate --tile-width " + std::to_string(tile) +
                         " --tile-height " + std::to_string(tile),
                     out);
}

}  // namespace blastscan::testing
