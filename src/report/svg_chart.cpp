#include "report/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "report/html_text.h"

namespace blastscan {

namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// About five round tick values covering [lo, hi]: steps of 1, 2 or 5 times a power of ten.
std::vector<double> nice_ticks(double lo, double hi) {
  const double span = hi - lo;
  const double raw = span / 5;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  const double step = power * (raw / power < 1.5 ? 1 : raw / power < 3.5 ? 2 : raw / power < 7.5 ? 5 : 10);
  std::vector<double> ticks;
  for (double t = std::ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) ticks.push_back(t);
  return ticks;
}

std::string tick_label(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", std::fabs(v) < 1e-12 ? 0.0 : v);
  return buf;
}

void fit_range(double& lo, double& hi, bool use_x, const std::vector<Series>& series) {
  if (lo != hi) return;
  lo = INFINITY;
  hi = -INFINITY;
  for (const auto& s : series)
    for (double v : use_x ? s.x : s.y)
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  if (!std::isfinite(lo)) lo = 0, hi = 1;
  if (hi - lo < 1e-12) hi = lo + 1;
}

}  // namespace

const std::string& series_color(size_t i) {
  static const std::vector<std::string> palette{"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                                "#9467bd", "#8c564b", "#e377c2", "#17becf"};
  return palette[i % palette.size()];
}

std::string line_chart_svg(const LineChart& c) {
  double x0 = c.x_min, x1 = c.x_max, y0 = c.y_min, y1 = c.y_max;
  fit_range(x0, x1, true, c.series);
  fit_range(y0, y1, false, c.series);
  const double L = 56, R = 12, T = 28, B = 44;  // margins: room for tick labels and titles
  const double W = c.width - L - R, H = c.height - T - B;
  auto px = [&](double x) { return L + (x - x0) / (x1 - x0) * W; };
  auto py = [&](double y) { return T + (1 - (y - y0) / (y1 - y0)) * H; };

  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(c.width) + "\" height=\"" +
                  std::to_string(c.height) + "\" font-family=\"sans-serif\" font-size=\"11\">\n";
  s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  s += "<text x=\"" + num(L + W / 2) + "\" y=\"16\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">" +
       escape_html(c.title) + "</text>\n";
  for (double t : nice_ticks(x0, x1)) {
    s += "<line x1=\"" + num(px(t)) + "\" y1=\"" + num(T) + "\" x2=\"" + num(px(t)) + "\" y2=\"" + num(T + H) +
         "\" stroke=\"#eee\"/>";
    s += "<text x=\"" + num(px(t)) + "\" y=\"" + num(T + H + 14) + "\" text-anchor=\"middle\">" + tick_label(t) +
         "</text>\n";
  }
  for (double t : nice_ticks(y0, y1)) {
    s += "<line x1=\"" + num(L) + "\" y1=\"" + num(py(t)) + "\" x2=\"" + num(L + W) + "\" y2=\"" + num(py(t)) +
         "\" stroke=\"#eee\"/>";
    s += "<text x=\"" + num(L - 4) + "\" y=\"" + num(py(t) + 4) + "\" text-anchor=\"end\">" + tick_label(t) +
         "</text>\n";
  }
  s += "<rect x=\"" + num(L) + "\" y=\"" + num(T) + "\" width=\"" + num(W) + "\" height=\"" + num(H) +
       "\" fill=\"none\" stroke=\"#444\"/>\n";
  s += "<text x=\"" + num(L + W / 2) + "\" y=\"" + num(c.height - 8.0) + "\" text-anchor=\"middle\">" +
       escape_html(c.x_label) + "</text>\n";
  s += "<text transform=\"translate(14," + num(T + H / 2) + ") rotate(-90)\" text-anchor=\"middle\">" +
       escape_html(c.y_label) + "</text>\n";
  if (c.diagonal)
    s += "<line x1=\"" + num(px(x0)) + "\" y1=\"" + num(py(y0)) + "\" x2=\"" + num(px(x1)) + "\" y2=\"" + num(py(y1)) +
         "\" stroke=\"#999\" stroke-dasharray=\"4 4\"/>\n";
  for (size_t i = 0; i < c.series.size(); ++i) {
    const Series& ser = c.series[i];
    std::string points;
    for (size_t j = 0; j < ser.x.size() && j < ser.y.size(); ++j)
      if (std::isfinite(ser.y[j])) points += num(px(ser.x[j])) + "," + num(py(ser.y[j])) + " ";
    s += "<polyline fill=\"none\" stroke-width=\"2\" stroke=\"" + ser.color + "\"" +
         (ser.dashed ? " stroke-dasharray=\"6 3\"" : "") + " points=\"" + points + "\"/>\n";
    // Legend inside the plot, in the corner the curves leave free.
    const double ly = c.legend_bottom ? T + H - 8 - 15 * double(c.series.size() - 1 - i) : T + 14 + 15 * double(i);
    s += "<line x1=\"" + num(L + W - 130) + "\" y1=\"" + num(ly - 4) + "\" x2=\"" + num(L + W - 112) + "\" y2=\"" +
         num(ly - 4) + "\" stroke-width=\"2\" stroke=\"" + ser.color + "\"" +
         (ser.dashed ? " stroke-dasharray=\"6 3\"" : "") + "/>";
    s += "<text x=\"" + num(L + W - 108) + "\" y=\"" + num(ly) + "\">" + escape_html(ser.name) + "</text>\n";
  }
  return s + "</svg>\n";
}

std::string confusion_matrix_svg(const std::vector<std::vector<size_t>>& m, const std::vector<std::string>& classes) {
  const size_t K = classes.size();
  const double cell = K <= 4 ? 72 : 48, L = 110, T = 40;
  const double size = cell * double(K);
  const int width = int(L + size + 20), height = int(T + size + 50);
  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(width) + "\" height=\"" +
                  std::to_string(height) + "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  s += "<text x=\"" + num(L + size / 2) + "\" y=\"16\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">"
       "Confusion matrix</text>\n";
  s += "<text x=\"" + num(L + size / 2) + "\" y=\"" + num(T + size + 36) + "\" text-anchor=\"middle\">predicted class</text>\n";
  s += "<text transform=\"translate(14," + num(T + size / 2) + ") rotate(-90)\" text-anchor=\"middle\">true class</text>\n";
  for (size_t i = 0; i < K; ++i) {
    size_t row_total = 0;
    for (size_t j = 0; j < K; ++j) row_total += m[i][j];
    for (size_t j = 0; j < K; ++j) {
      const double frac = row_total ? double(m[i][j]) / double(row_total) : 0;
      // Blue for the diagonal (right), red off it (wrong); darker = larger share of the row.
      const int shade = int(255 - 180 * frac);
      const std::string fill = i == j ? "rgb(" + std::to_string(shade) + "," + std::to_string(shade) + ",255)"
                                      : "rgb(255," + std::to_string(shade) + "," + std::to_string(shade) + ")";
      const double x = L + cell * double(j), y = T + cell * double(i);
      s += "<rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(cell) + "\" height=\"" + num(cell) +
           "\" fill=\"" + fill + "\" stroke=\"#666\"/>";
      s += "<text x=\"" + num(x + cell / 2) + "\" y=\"" + num(y + cell / 2 + 5) +
           "\" text-anchor=\"middle\" font-size=\"14\">" + std::to_string(m[i][j]) + "</text>\n";
    }
    s += "<text x=\"" + num(L - 6) + "\" y=\"" + num(T + cell * (double(i) + 0.5) + 4) + "\" text-anchor=\"end\">" +
         escape_html(classes[i]) + "</text>\n";
    s += "<text x=\"" + num(L + cell * (double(i) + 0.5)) + "\" y=\"" + num(T + size + 16) +
         "\" text-anchor=\"middle\">" + escape_html(classes[i]) + "</text>\n";
  }
  return s + "</svg>\n";
}

std::string training_curves_svg(const std::vector<EpochMetrics>& history) {
  Series train_loss{"training", {}, {}, series_color(0)}, val_loss{"validation", {}, {}, series_color(1), true};
  Series train_acc{"training", {}, {}, series_color(0)}, val_acc{"validation", {}, {}, series_color(1), true};
  for (const auto& e : history) {
    for (Series* ser : {&train_loss, &val_loss, &train_acc, &val_acc}) ser->x.push_back(e.epoch);
    train_loss.y.push_back(e.train_loss);
    val_loss.y.push_back(e.val_loss);
    train_acc.y.push_back(e.train_accuracy);
    val_acc.y.push_back(e.val_accuracy);
  }
  LineChart loss, acc;
  loss.title = "Loss";
  acc.title = "Accuracy";
  loss.x_label = acc.x_label = "epoch";
  loss.y_label = "cross-entropy";
  acc.y_label = "accuracy";
  acc.legend_bottom = true;
  loss.series = {train_loss, val_loss};
  acc.series = {train_acc, val_acc};
  // Two charts side by side in one SVG: nested <svg> elements positioned with x.
  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(loss.width + acc.width) +
                  "\" height=\"" + std::to_string(loss.height) + "\">\n";
  std::string right = line_chart_svg(acc);
  right.insert(4, " x=\"" + std::to_string(loss.width) + "\"");  // after "<svg"
  return s + line_chart_svg(loss) + right + "</svg>\n";
}

}  // namespace blastscan
