// report.json and report.html from a small hand-made result: the numbers land where a reader
// looks for them, undefined ratios are null / n/a, names are escaped, and the page is
// self-contained (no script, no external resource).
#include <gtest/gtest.h>

#include <regex>

#include "report/html_text.h"
#include "report/report_html.h"
#include "report/report_json.h"
#include "report/svg_chart.h"

namespace blastscan {
namespace {

EvaluationReport small_report() {
  EvaluationReport r;
  r.model = "run/model.pb";
  r.data = "prep/manifest.json";
  r.split = "validation";
  r.classes = {"Benign", "Early", "<Pre>"};
  r.positive = {"Early", "<Pre>"};
  // 4 right, 1 wrong (a Benign image called Early with 0.6: LOW at 0.8).
  const std::vector<std::tuple<int, int, std::vector<float>>> rows{
      {0, 0, {0.9f, 0.05f, 0.05f}}, {0, 1, {0.3f, 0.6f, 0.1f}}, {1, 1, {0.1f, 0.85f, 0.05f}},
      {2, 2, {0.02f, 0.08f, 0.9f}}, {2, 2, {0.01f, 0.01f, 0.98f}}};
  for (const auto& [label, predicted, p] : rows) {
    EvaluatedImage image;
    image.path = "img" + std::to_string(r.images.size()) + ".jpg";
    image.label = label;
    image.predicted = predicted;
    image.confidence = p[size_t(predicted)];
    image.probabilities = p;
    if (label != predicted) image.thumbnail_jpeg = "\xff\xd8 fake jpeg";
    r.images.push_back(std::move(image));
  }
  r.history = {{1, 10, 1e-4f, 1.0f, 0.5f, 0.9f, 0.6f, 0.1}, {2, 20, 1e-4f, 0.5f, 0.8f, 0.6f, 0.8f, 0.1}};
  compute_report_metrics(r);
  return r;
}

TEST(HtmlText, Base64MatchesRfc4648Vectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(escape_html("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
}

TEST(ReportJson, HoldsTheMetricsAndTheMistakes) {
  const auto j = report_to_json(small_report());
  EXPECT_EQ(j["metrics"]["n"], 5);
  EXPECT_EQ(j["metrics"]["correct"], 4);
  EXPECT_DOUBLE_EQ(j["metrics"]["accuracy"].get<double>(), 0.8);
  EXPECT_LT(j["metrics"]["accuracy_ci95"][0].get<double>(), 0.8);
  EXPECT_EQ(j["metrics"]["confusion_matrix"][0][1], 1);
  EXPECT_EQ(j["metrics"]["low_confidence"]["count"], 1);
  ASSERT_EQ(j["misclassified"].size(), 1u);
  EXPECT_EQ(j["misclassified"][0]["true"], "Benign");
  EXPECT_EQ(j["misclassified"][0]["predicted"], "Early");
  EXPECT_FLOAT_EQ(j["misclassified"][0]["probabilities"]["Early"].get<float>(), 0.6f);
  EXPECT_EQ(j["predictions"].size(), 5u);
  // Binary: 3 ALL images all called ALL, 2 benign of which one called ALL.
  EXPECT_DOUBLE_EQ(j["binary"]["per_class"][1]["recall"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(j["binary"]["per_class"][1]["specificity"].get<double>(), 0.5);
  EXPECT_EQ(j["training"].size(), 2u);
}

TEST(ReportJson, UndefinedRatiosAreNull) {
  EvaluationReport r = small_report();
  r.images.resize(1);  // only one Benign image: recall of Early is 0/0
  compute_report_metrics(r);
  const auto j = report_to_json(r);
  EXPECT_TRUE(j["metrics"]["per_class"][1]["recall"].is_null());
  EXPECT_TRUE(j["metrics"]["per_class"][0]["auc"].is_null());
}

TEST(ReportHtml, IsSelfContainedWithChartsAndGallery) {
  const std::string html = render_report_html(small_report());
  EXPECT_NE(html.find("80.0%"), std::string::npos);                 // accuracy
  EXPECT_NE(html.find("Confusion matrix"), std::string::npos);
  EXPECT_NE(html.find("ROC curves, one class vs rest"), std::string::npos);
  EXPECT_NE(html.find("ALL vs not ALL"), std::string::npos);
  EXPECT_NE(html.find("<h2>Training</h2>"), std::string::npos);
  EXPECT_NE(html.find("data:image/jpeg;base64,/9g"), std::string::npos);  // the thumbnail, inline
  EXPECT_NE(html.find("&lt;Pre&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<Pre>"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  // The only URL is the SVG namespace: nothing is fetched when the page opens.
  const std::regex url(R"((src|href)=\"(https?:)?//)");
  EXPECT_FALSE(std::regex_search(html, url));
}

TEST(ReportHtml, GalleryShowsAMistakeBesideItsClassActivationMap) {
  EvaluationReport r = small_report();
  EXPECT_EQ(render_report_html(r).find("class=\"cam\""), std::string::npos);  // no map made: the thumbnail alone
  EvaluatedImage& wrong = r.images[1];
  wrong.cam_jpeg = "\xff\xd8 fake map";
  wrong.cam_class = 2;
  wrong.cam_low = -1.25f;
  wrong.cam_high = 3.5f;
  const std::string html = render_report_html(r);
  const size_t figure = html.find("<figure class=\"with-cam\">");
  ASSERT_NE(figure, std::string::npos);
  const size_t thumbnail = html.find("data:image/jpeg;base64,/9g", figure);
  const size_t map = html.find("<img class=\"cam\" alt=\"class activation map\" src=\"data:image/jpeg;base64,/9g", figure);
  ASSERT_NE(map, std::string::npos);
  EXPECT_LT(thumbnail, map);  // the image first, its map to the right
  EXPECT_NE(html.find("right: class activation map of &lt;Pre&gt;, blue -1.25 to red 3.50 (logits)", map), std::string::npos);
}

TEST(ReportHtml, GalleryIsCappedAndSaysSo) {
  EvaluationReport r = small_report();
  for (int i = 0; i < 5; ++i) r.images.push_back(r.images[1]);
  compute_report_metrics(r);
  const std::string html = render_report_html(r, 3);
  EXPECT_NE(html.find("3 of 6 shown"), std::string::npos);
}

TEST(SvgChart, TrainingCurvesHaveBothSeriesForLossAndAccuracy) {
  const std::string svg = training_curves_svg(small_report().history);
  size_t polylines = 0;
  for (size_t pos = 0; (pos = svg.find("<polyline", pos)) != std::string::npos; ++pos) ++polylines;
  EXPECT_EQ(polylines, 4u);
  EXPECT_NE(svg.find(">Loss<"), std::string::npos);
  EXPECT_NE(svg.find(">Accuracy<"), std::string::npos);
}

}  // namespace
}  // namespace blastscan
