// Small SVG charts for reports, written as strings (no plotting library, no script): a line
// chart with axes, ticks and a legend (training curves, ROC curves) and a confusion-matrix
// heat map. Inline them in HTML or save them as .svg files.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "train/epoch_metrics.h"

namespace blastscan {

struct Series {
  std::string name;
  std::vector<double> x, y;
  std::string color;
  bool dashed = false;
};

struct LineChart {
  std::string title, x_label, y_label;
  std::vector<Series> series;
  double x_min = 0, x_max = 0, y_min = 0, y_max = 0;  // equal = fit to the data
  bool diagonal = false;       // the chance line of a ROC chart
  bool legend_bottom = false;  // legend in the bottom-right corner (curves that rise to the top)
  int width = 460, height = 320;
};

std::string line_chart_svg(const LineChart& chart);

// rows: true class, columns: predicted class; cells shaded by the row's fraction.
std::string confusion_matrix_svg(const std::vector<std::vector<size_t>>& matrix,
                                 const std::vector<std::string>& classes);

// Loss and accuracy per epoch (training and validation), two charts side by side.
std::string training_curves_svg(const std::vector<EpochMetrics>& history);

// A qualitative palette colour for series i.
const std::string& series_color(size_t i);

}  // namespace blastscan
