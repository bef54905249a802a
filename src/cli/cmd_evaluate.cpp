// blastscan evaluate: a trained model on labelled images -> report.json and report.html, and a
// short summary on stdout (accuracy with its 95% interval, the ALL view, LOW confidence).
#include <cstdio>

#include "base/file_io.h"
#include "base/safe_text.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/progress_bar.h"
#include "formats/graphdef.h"
#include "report/evaluate_model.h"
#include "report/report_html.h"
#include "report/report_json.h"

namespace blastscan::cli {

namespace {

struct EvaluateArgs {
  std::string model, data, split = "auto", out, run, cache;
  std::vector<std::string> positive;
  float threshold = kDefaultThreshold;
  int threads = 0;
};

// "auto": the validation split when the data is split, else every image.
Dataset choose_images(const Dataset& data, std::string& split) {
  const bool is_split = std::any_of(data.samples.begin(), data.samples.end(), [](const Sample& s) { return !s.split.empty(); });
  if (split == "auto") split = is_split ? std::string(kValidation) : "all";
  return split == "all" ? data : select_split(data, split);
}

void print_summary(const EvaluationReport& r) {
  const Metrics& m = r.metrics;
  std::printf("%s on %zu images (%s split): accuracy %.2f%% (%zu of %zu, 95%% CI %.2f%%-%.2f%%), macro F1 %.3f\n",
              r.model.c_str(), m.n, r.split.c_str(), 100 * m.accuracy, m.correct, m.n, 100 * m.accuracy_ci.low,
              100 * m.accuracy_ci.high, m.macro_f1);
  for (const auto& c : m.per_class)
    std::printf("  %-12s n %4zu  precision %.3f  recall %.3f  specificity %.3f  F1 %.3f  AUC %.3f\n", c.name.c_str(),
                c.support, c.precision, c.recall, c.specificity, c.f1, c.roc.auc);
  if (r.has_binary_view()) {
    const ClassMetrics& all = r.binary.per_class[1];
    std::printf("ALL vs not ALL: accuracy %.2f%%, sensitivity %.3f, specificity %.3f, AUC %.3f\n",
                100 * r.binary.accuracy, all.recall, all.specificity, all.roc.auc);
  }
  std::printf("%zu low confidence (< %.2f): (%zu correct, %zu incorrect)\n", m.low_confidence, r.threshold,
              m.low_correct, m.low_incorrect);
}

void run(EvaluateArgs a) {
  const std::filesystem::path model_path = a.model;
  const Model model = load_model(model_path);
  // A model inside a train run folder: its curves go into the report.
  const std::filesystem::path run_dir = !a.run.empty() ? std::filesystem::path(a.run) : model_path.parent_path();
  const std::filesystem::path out = !a.out.empty() ? std::filesystem::path(a.out) : model_path.parent_path() / "evaluation";
  const Dataset images = choose_images(load_dataset(a.data), a.split);

  EvaluateRequest request{model_path, a.data, a.split, a.threshold, a.positive, run_dir, {}};
  request.extract.cache_dir = a.cache;
  request.extract.threads = a.threads;
  request.extract.progress = terminal_progress();
  const EvaluationReport report = evaluate_model(model, images, request);

  write_file_atomic(out / "report.json", json_text(report_to_json(report), 2) + "\n");
  write_file_atomic(out / "report.html", render_report_html(report));
  print_summary(report);
  std::printf("report: %s\n", (out / "report.html").string().c_str());
}

}  // namespace

void add_evaluate(CLI::App& app) {
  auto a = std::make_shared<EvaluateArgs>();
  auto* cmd = app.add_subcommand("evaluate", "measure a trained model on labelled images; write report.json and report.html");
  add_option(cmd, flags::model, a->model)->required();
  add_option(cmd, flags::data, a->data)->required();
  cmd->add_option("--split", a->split, "validation, train, all, or auto (validation when the data is split)")
      ->check(CLI::IsMember({"auto", "validation", "train", "all"}))
      ->capture_default_str();
  cmd->add_option("--out,-o", a->out, "report folder (default: MODEL_DIR/evaluation)");
  cmd->add_option("--run", a->run, "train run folder whose curves to include (default: the model's folder)");
  add_option(cmd, flags::positive, a->positive);
  add_option(cmd, flags::threshold, a->threshold);
  add_option(cmd, flags::cache, a->cache);
  add_option(cmd, flags::threads, a->threads);
  cmd->callback([a] { run(*a); });
}

}  // namespace blastscan::cli
