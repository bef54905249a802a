// blastscan classify --model M.pb IMAGE|DIR ...: one row per image, then the seed's summary.
// Exit status: 0 when every image was classified, 1 when none was, 2 when some were not.
// With --shard I/N --out FILE it classifies only its part of the input list and writes a shard
// file for `blastscan merge` (exit 0 once the file is written: error rows are results there);
// a shard file already complete for this model and input list is left as it is.
#include <cstdio>
#include <cstdlib>

#include "base/error.h"
#include "base/file_io.h"
#include "base/hash.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/output.h"
#include "data/dataset.h"
#include "formats/graphdef.h"
#include "predict/results.h"
#include "predict/shard.h"

namespace blastscan::cli {

namespace {

struct Options {
  std::string model, format = "table", shard, out;
  std::vector<std::string> inputs;
  float threshold = 0.8f;
  int threads = 0, batch = 1;
  CLI::Option* format_option = nullptr;
};

Predictor make_predictor(const Options& o) {
  return Predictor(load_model(o.model), {.threshold = o.threshold, .batch = o.batch, .threads = o.threads});
}

void classify_shard(const Options& o, const std::vector<std::filesystem::path>& files) {
  if (o.out.empty()) throw InputError("--shard needs --out FILE (the shard file that merge reads)");
  if (o.format_option->count() > 0) throw InputError("--format: a shard file is JSON; choose the format at merge");
  ShardFile shard;
  shard.header.shard = parse_shard_spec(o.shard, std::getenv("SLURM_ARRAY_TASK_ID"), std::getenv("SLURM_ARRAY_TASK_COUNT"));
  shard.header.model_sha256 = sha256_file_hex(o.model);
  shard.header.inputs_sha256 = input_list_sha256(files);
  shard.header.total_inputs = files.size();
  const std::string name = "shard " + shard.header.shard.text();
  if (const auto done = completed_shard(o.out, shard.header)) {
    std::fprintf(stderr, "%s: already complete in %s (%zu images), nothing to do\n", name.c_str(), o.out.c_str(),
                 done->results.size());
    return;
  }
  const auto [begin, end] = shard_range(files.size(), shard.header.shard);
  Predictor predictor = make_predictor(o);
  shard.header.classes = predictor.model().classes;
  shard.results = classify_files(predictor, {files.begin() + long(begin), files.begin() + long(end)}, o.batch);
  write_file_atomic(o.out, shard_file_text(shard));
  const auto summary = summarize(shard.results);
  std::fprintf(stderr, "%s: %zu of %zu images (%d classified, %d errors) -> %s\n", name.c_str(), end - begin,
               files.size(), summary.classified, summary.errors, o.out.c_str());
}

}  // namespace

void add_classify(CLI::App& app) {
  auto opts = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("classify", "classify images or folders of images");
  add_model_option(cmd, opts->model);
  add_threshold_option(cmd, opts->threshold);
  add_format_option(cmd, opts->format);
  opts->format_option = cmd->get_option("--format");
  add_threads_option(cmd, opts->threads);
  add_batch_option(cmd, opts->batch);
  add_shard_option(cmd, opts->shard, "write its shard file to --out");
  add_out_file_option(cmd, opts->out);
  cmd->add_option("inputs", opts->inputs, "image files or folders (searched recursively)")->required();
  cmd->callback([opts] {
    const std::vector<std::filesystem::path> inputs(opts->inputs.begin(), opts->inputs.end());
    const auto files = list_images(inputs);
    if (!opts->shard.empty()) return classify_shard(*opts, files);
    Predictor predictor = make_predictor(*opts);
    const auto results = classify_files(predictor, files, opts->batch);
    emit_output(format_results(results, predictor.model(), opts->format), opts->out);
    exit_for_results(summarize(results));
  });
}

}  // namespace blastscan::cli
