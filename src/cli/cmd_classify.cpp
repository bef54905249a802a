// blastscan classify --model M.pb IMAGE|DIR ...: one row per image, then the seed's summary.
// Exit status: 0 when every image was classified, 1 when none was, 2 when some were not.
#include <cstdio>

#include "cli/commands.h"
#include "cli/options.h"
#include "data/dataset.h"
#include "formats/graphdef.h"
#include "predict/results.h"

namespace blastscan::cli {

void add_classify(CLI::App& app) {
  struct Options {
    std::string model, format = "table";
    std::vector<std::string> inputs;
    float threshold = 0.8f;
    int threads = 0, batch = 1;
  };
  auto opts = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("classify", "classify images or folders of images");
  add_model_option(cmd, opts->model);
  add_threshold_option(cmd, opts->threshold);
  add_format_option(cmd, opts->format);
  add_threads_option(cmd, opts->threads);
  add_batch_option(cmd, opts->batch);
  cmd->add_option("inputs", opts->inputs, "image files or folders (searched recursively)")->required();
  cmd->callback([opts] {
    const std::vector<std::filesystem::path> inputs(opts->inputs.begin(), opts->inputs.end());
    const auto files = list_images(inputs);
    Predictor predictor(load_model(opts->model), {.threshold = opts->threshold, .batch = opts->batch, .threads = opts->threads});
    const auto results = classify_files(predictor, files, opts->batch);
    std::fputs(format_results(results, predictor.model(), opts->format).c_str(), stdout);
    const auto summary = summarize(results);
    if (summary.errors > 0) throw ExitStatus{summary.classified == 0 ? 1 : 2};
  });
}

}  // namespace blastscan::cli
