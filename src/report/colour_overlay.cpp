#include "report/colour_overlay.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "base/error.h"

namespace blastscan {

namespace {

constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;
constexpr double kFontScale = 0.4;

// The Turbo colour of each value in [0,1], RGB.
cv::Mat colours_of(const cv::Mat& values) {
  cv::Mat bytes, bgr, rgb;
  values.convertTo(bytes, CV_8U, 255.0);  // NaN becomes 0; those pixels are not drawn
  cv::applyColorMap(bytes, bgr, cv::COLORMAP_TURBO);
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  return rgb;
}

void put_text(cv::Mat& img, const std::string& text, cv::Point at) {
  cv::putText(img, text, at, kFont, kFontScale, cv::Scalar(20, 20, 20), 1, cv::LINE_AA);
}

int text_width(const std::string& text) {
  int baseline = 0;
  return cv::getTextSize(text, kFont, kFontScale, 1, &baseline).width;
}

}  // namespace

cv::Mat blend_colour_scale(const cv::Mat& rgb, const cv::Mat& values, double alpha) {
  if (values.type() != CV_32F || values.size() != rgb.size() || rgb.type() != CV_8UC3)
    throw Error("blend_colour_scale: values must be CV_32F and the size of the RGB image");
  const cv::Mat colours = colours_of(values);
  cv::Mat out = rgb.clone();
  for (int y = 0; y < out.rows; ++y) {
    const float* v = values.ptr<float>(y);
    const auto* c = colours.ptr<cv::Vec3b>(y);
    auto* o = out.ptr<cv::Vec3b>(y);
    for (int x = 0; x < out.cols; ++x) {
      if (std::isnan(v[x])) continue;
      for (int k = 0; k < 3; ++k) o[x][k] = cv::saturate_cast<uint8_t>((1 - alpha) * o[x][k] + alpha * c[x][k]);
    }
  }
  return out;
}

cv::Mat add_legend(const cv::Mat& rgb, const Legend& legend) {
  const int margin = 10, bar_height = 12, line = 16;
  const int text = std::max({text_width(legend.title), text_width(legend.note),
                             text_width(legend.low) + text_width(legend.high) + 200});
  const int width = std::max(rgb.cols, text + 2 * margin);
  const int band = margin + line + bar_height + line + (legend.note.empty() ? 0 : line) + margin / 2;
  cv::Mat out(rgb.rows + band, width, CV_8UC3, cv::Scalar(255, 255, 255));
  rgb.copyTo(out(cv::Rect(0, 0, rgb.cols, rgb.rows)));

  int y = rgb.rows + margin + 10;
  put_text(out, legend.title, {margin, y});
  y += 6;
  const int bar_width = std::min(width - 2 * margin, 400);
  cv::Mat ramp(1, bar_width, CV_32F);
  for (int x = 0; x < bar_width; ++x) ramp.at<float>(0, x) = float(x) / float(std::max(1, bar_width - 1));
  cv::Mat bar;
  cv::resize(colours_of(ramp), bar, {bar_width, bar_height}, 0, 0, cv::INTER_NEAREST);
  bar.copyTo(out(cv::Rect(margin, y, bar_width, bar_height)));
  if (legend.mark) {
    const int x = margin + int(std::lround(*legend.mark * (bar_width - 1)));
    cv::line(out, {x, y - 3}, {x, y + bar_height + 2}, cv::Scalar(0, 0, 0), 2);
  }
  y += bar_height + 12;
  put_text(out, legend.low, {margin, y});
  put_text(out, legend.high, {margin + bar_width - text_width(legend.high), y});
  if (legend.mark && !legend.mark_label.empty()) {
    const int x = margin + int(std::lround(*legend.mark * (bar_width - 1))) - text_width(legend.mark_label) / 2;
    put_text(out, legend.mark_label, {std::clamp(x, margin + text_width(legend.low) + 6, margin + bar_width), y});
  }
  if (!legend.note.empty()) put_text(out, legend.note, {margin, y + line});
  return out;
}

std::vector<uint8_t> encode_png(const cv::Mat& rgb) {
  cv::Mat bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  std::vector<uint8_t> png;
  if (!cv::imencode(".png", bgr, png)) throw Error("cannot encode a PNG image");
  return png;
}

}  // namespace blastscan
