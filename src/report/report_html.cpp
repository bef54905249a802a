#include "report/report_html.h"

#include "report/html_text.h"
#include "report/svg_chart.h"

namespace blastscan {

namespace {

constexpr const char* kStyle = R"(
body { font-family: sans-serif; margin: 24px auto; max-width: 1000px; color: #222; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 8px 0; } td, th { padding: 4px 10px; border: 1px solid #ddd; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.meta td { border: none; text-align: left; padding: 2px 10px 2px 0; color: #555; }
.cards { display: flex; gap: 14px; flex-wrap: wrap; }
.card { border: 1px solid #ccc; border-radius: 6px; padding: 10px 14px; min-width: 150px; }
.card .v { font-size: 24px; font-weight: bold; } .card .l { color: #666; font-size: 12px; }
.charts { display: flex; gap: 16px; flex-wrap: wrap; align-items: flex-start; }
.gallery { display: flex; flex-wrap: wrap; gap: 10px; }
.gallery figure { margin: 0; width: 150px; font-size: 11px; word-break: break-all; }
.gallery figure.with-cam { width: 304px; }
.gallery img { width: 150px; height: 150px; object-fit: cover; border: 1px solid #ccc; }
.low { color: #b36b00; } .note { color: #666; font-size: 12px; }
)";

std::string percent(double v) { return format_number(100 * v, 1) + "%"; }

std::string card(const std::string& value, const std::string& label) {
  return "<div class=\"card\"><div class=\"v\">" + value + "</div><div class=\"l\">" + label + "</div></div>";
}

std::string per_class_table(const Metrics& m) {
  std::string s = "<table><tr><th>class</th><th>images</th><th>precision</th><th>recall (sensitivity)</th>"
                  "<th>specificity</th><th>F1</th><th>ROC AUC</th></tr>";
  for (const auto& c : m.per_class)
    s += "<tr><td>" + escape_html(c.name) + "</td><td>" + std::to_string(c.support) + "</td><td>" +
         format_number(c.precision, 3) + "</td><td>" + format_number(c.recall, 3) + "</td><td>" +
         format_number(c.specificity, 3) + "</td><td>" + format_number(c.f1, 3) + "</td><td>" +
         format_number(c.roc.auc, 3) + "</td></tr>";
  return s + "<tr><td>macro average</td><td>" + std::to_string(m.n) + "</td><td></td><td></td><td></td><td>" +
         format_number(m.macro_f1, 3) + "</td><td>" + format_number(m.macro_auc, 3) + "</td></tr></table>";
}

// One-vs-rest curves; with two classes the second class's curve says it all.
std::string roc_chart(const Metrics& m, const std::string& title) {
  LineChart chart;
  chart.title = title;
  chart.x_label = "false positive rate (1 - specificity)";
  chart.y_label = "true positive rate (sensitivity)";
  chart.x_min = chart.y_min = 0;
  chart.x_max = chart.y_max = 1;
  chart.diagonal = true;
  chart.legend_bottom = true;  // below the chance line, where ROC curves never go
  const size_t first = m.per_class.size() == 2 ? 1 : 0;
  for (size_t k = first; k < m.per_class.size(); ++k) {
    const auto& c = m.per_class[k];
    chart.series.push_back({c.name + " (AUC " + format_number(c.roc.auc, 3) + ")", c.roc.fpr, c.roc.tpr,
                            series_color(k)});
  }
  return line_chart_svg(chart);
}

std::string gallery(const EvaluationReport& r, size_t max_items) {
  const auto wrong = misclassified(r);
  if (wrong.empty()) return "<p>No image was misclassified.</p>";
  std::string s = "<div class=\"gallery\">";
  for (size_t i = 0; i < wrong.size() && i < max_items; ++i) {
    const EvaluatedImage& image = *wrong[i];
    const bool with_cam = !image.cam_jpeg.empty();
    s += with_cam ? "<figure class=\"with-cam\">" : "<figure>";
    if (!image.thumbnail_jpeg.empty())
      s += "<img alt=\"\" src=\"" + data_uri("image/jpeg", image.thumbnail_jpeg) + "\">";
    if (with_cam)
      s += " <img class=\"cam\" alt=\"class activation map\" src=\"" + data_uri("image/jpeg", image.cam_jpeg) + "\">";
    s += "<figcaption><b>" + escape_html(r.classes.at(size_t(image.label))) + " &rarr; " +
         escape_html(r.classes.at(size_t(image.predicted))) + "</b> " +
         "<span" + std::string(image.confidence < r.threshold ? " class=\"low\"" : "") + ">" +
         format_number(image.confidence, 3) + (image.confidence < r.threshold ? " LOW" : "") + "</span><br>";
    if (with_cam)
      s += "right: class activation map of " + escape_html(r.classes.at(size_t(image.cam_class))) + ", blue " +
           format_number(image.cam_low, 2) + " to red " + format_number(image.cam_high, 2) + " (logits)<br>";
    s += escape_html(image.path) + "</figcaption></figure>";
  }
  s += "</div>";
  if (wrong.size() > max_items)
    s += "<p class=\"note\">" + std::to_string(max_items) + " of " + std::to_string(wrong.size()) +
         " shown, the most confident mistakes first; report.json lists all.</p>";
  return s;
}

}  // namespace

std::string render_report_html(const EvaluationReport& r, size_t max_gallery) {
  const Metrics& m = r.metrics;
  std::string s = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>blastscan evaluation: " +
                  escape_html(r.model) + "</title><style>" + kStyle + "</style></head><body>\n";
  s += "<h1>blastscan evaluation</h1><table class=\"meta\">";
  s += "<tr><td>model</td><td>" + escape_html(r.model) + "</td></tr>";
  s += "<tr><td>data</td><td>" + escape_html(r.data) + " (split: " + escape_html(r.split) + ")</td></tr>";
  s += "<tr><td>created</td><td>" + escape_html(r.created) + "</td></tr>";
  s += "<tr><td>LOW-confidence threshold</td><td>" + format_number(r.threshold, 2) + "</td></tr></table>\n";

  s += "<h2>Summary</h2><div class=\"cards\">";
  s += card(percent(m.accuracy), "accuracy, " + std::to_string(m.correct) + " of " + std::to_string(m.n) +
                                     "<br>95% CI " + percent(m.accuracy_ci.low) + " – " + percent(m.accuracy_ci.high));
  if (r.has_binary_view()) {
    const ClassMetrics& all = r.binary.per_class[1];
    s += card(percent(all.recall), "sensitivity (ALL detected)");
    s += card(percent(all.specificity), "specificity (not-ALL kept)");
    s += card(format_number(all.roc.auc, 3), "ROC AUC, ALL vs not ALL");
  }
  s += card(std::to_string(m.low_confidence), "LOW confidence (&lt; " + format_number(r.threshold, 2) + ")<br>" +
                                                  std::to_string(m.low_correct) + " correct, " +
                                                  std::to_string(m.low_incorrect) + " incorrect");
  s += "</div>\n";

  s += "<h2>Per class</h2>" + per_class_table(m) + "\n";
  s += "<div class=\"charts\">" + confusion_matrix_svg(m.confusion, m.classes) +
       roc_chart(m, m.classes.size() == 2 ? "ROC curve" : "ROC curves, one class vs rest") + "</div>\n";
  if (r.has_binary_view()) {
    std::string positive;
    for (const auto& p : r.positive) positive += (positive.empty() ? "" : ", ") + p;
    s += "<h2>ALL vs not ALL</h2><p>ALL = " + escape_html(positive) +
         ". An image counts as ALL when its top class is one of these; the ROC curve scores it by their summed "
         "probability.</p>" + per_class_table(r.binary);
    s += "<div class=\"charts\">" + confusion_matrix_svg(r.binary.confusion, r.binary.classes) +
         roc_chart(r.binary, "ROC curve, ALL vs not ALL") + "</div>\n";
  }
  if (!r.history.empty()) s += "<h2>Training</h2>" + training_curves_svg(r.history) + "\n";
  s += "<h2>Misclassified images (" + std::to_string(m.n - m.correct) + ")</h2>" + gallery(r, max_gallery) + "\n";
  return s + "</body></html>\n";
}

}  // namespace blastscan
