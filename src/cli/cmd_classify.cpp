// blastscan classify --model M.pb IMAGE|DIR ...: one row per image, then the seed's summary.
// Exit status: 0 when every image was classified, 1 when none was, 2 when some were not.
// With --shard I/N --out FILE it classifies only its part of the input list and writes a shard
// file for `blastscan merge` (exit 0 once the file is written: error rows are results there);
// a shard file already complete for this model and input list is left as it is.
// --heatmap DIR writes, per tiled image, NAME.heatmap.png and NAME.tiles.json; --explain DIR,
// per image classified whole, NAME.cam.png (a second network pass over those images), and per
// tiled image the maps of its hottest tiles, NAME.tileRR-xX-yY.cam.png (R = rank, 01 hottest;
// from the scan's own network pass).
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>

#include <fmt/format.h>

#include "base/error.h"
#include "base/file_io.h"
#include "base/hash.h"
#include "base/progress.h"
#include "base/safe_text.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/output.h"
#include "cli/progress_bar.h"
#include "data/dataset.h"
#include "formats/graphdef.h"
#include "predict/results.h"
#include "predict/shard.h"
#include "predict/slide_json.h"
#include "data/image.h"
#include "report/cam_overlay.h"
#include "report/colour_overlay.h"
#include "report/tile_heatmap.h"

namespace blastscan::cli {

namespace {

constexpr int kHeatmapSide = 2048;  // longest side of a heat-map PNG, in pixels
constexpr int kExplainedTiles = 16; // --explain: maps of this many hottest tiles per tiled image

struct Options {
  std::string model, format = "table", shard, out, heatmap, explain, precision = "fp32";
  std::vector<std::string> inputs;
  float threshold = kDefaultThreshold;
  int threads = 0;
  ClassifyOptions classify;  // batch (set to 0 = throughput_batch in add_classify), tiling
  CLI::Option* format_option = nullptr;
};

// One progress line per scanned image, drawn from the library's callback.
struct TileBar {
  ProgressFn draw = terminal_progress();
  std::unique_ptr<ProgressCounter> bar;
  size_t shown = 0;
  void operator()(size_t done, size_t total) {
    if (!bar) bar = std::make_unique<ProgressCounter>(draw, "tiles", total, "tile"), shown = 0;
    bar->advance(done - shown);
    shown = done;
    if (done == total) bar.reset();
  }
};

// NAME for an input's outputs: its stem, with -2, -3... when two inputs share one.
std::string unique_stem(const std::filesystem::path& path, std::set<std::string>& used) {
  const std::string stem = path.stem().string();
  std::string name = stem;
  for (int n = 2; !used.insert(name).second; ++n) name = stem + "-" + std::to_string(n);
  return name;
}

// For `images` files: the batch asked for, or the library's choice.
Predictor make_predictor(Options& o, size_t images) {
  if (o.classify.batch == 0) o.classify.batch = throughput_batch(images, o.threads);
  return Predictor(load_model(o.model), {.threshold = o.threshold,
                                         .batch = o.classify.batch,
                                         .threads = o.threads,
                                         .explain = !o.explain.empty(),
                                         .precision = choose_precision(o.precision),
                                         .model_name = o.model});
}

// --explain: the class activation map of each image classified whole, drawn over it.
void write_explanations(const Options& o, Predictor& predictor, const std::vector<ImageResult>& results) {
  std::set<std::string> stems;
  for (const auto& result : results) {
    if (!result.prediction || result.tiles) continue;
    const cv::Mat image = load_image(result.path);
    const Explanation e = predictor.explain({image}).at(0);
    const cv::Mat drawn = render_cam_overlay(image, e.cam, e.seen, e.prediction.label);
    write_file_atomic(std::filesystem::path(o.explain) / (unique_stem(result.path, stems) + ".cam.png"), encode_png(drawn));
  }
}

// --heatmap: a scanned image's PNG and tile list.
void write_heatmap(const Options& o, const Model& model, const std::string& name, const ImageResult& result,
                   const SlideScan& scan) {
  const std::filesystem::path dir(o.heatmap);
  write_file_atomic(dir / (name + ".heatmap.png"), encode_png(render_tile_heatmap(scan, o.threshold)));
  nlohmann::ordered_json j = {{"path", result.path.string()}};
  j.update(slide_scan_json(scan, model));
  write_file_atomic(dir / (name + ".tiles.json"), json_text(j, 1) + "\n");
}

// --explain: the class activation maps of a scanned image's hottest tiles.
void write_tile_explanations(const Options& o, const std::string& name, const SlideScan& scan) {
  for (size_t rank = 0; rank < scan.explained.size(); ++rank) {
    const ExplainedTile& t = scan.explained[rank];
    const cv::Rect& box = scan.tiles.at(t.tile).box;
    const Explanation& e = t.explanation;
    const cv::Mat drawn = render_cam_overlay(t.pixels, e.cam, e.seen, e.prediction.label,
                                             fmt::format("tile ({}, {})", box.x, box.y));
    const std::string file = fmt::format("{}.tile{:02}-x{}-y{}.cam.png", name, rank + 1, box.x, box.y);
    write_file_atomic(std::filesystem::path(o.explain) / file, encode_png(drawn));
  }
}

// The library's callbacks, drawn here: tiling notes on stderr, tile progress, and for each
// scanned image its heat-map (--heatmap) and its hottest tiles' maps (--explain).
ClassifyOptions classify_options(const Options& o, const Predictor& predictor) {
  ClassifyOptions options = o.classify;
  options.note = [](const std::string& text) { std::fprintf(stderr, "blastscan: %s\n", printable(text).c_str()); };
  options.tile_progress = [bar = std::make_shared<TileBar>()](size_t done, size_t total) { (*bar)(done, total); };
  options.progress = terminal_progress();
  if (o.heatmap.empty() && o.explain.empty()) return options;
  if (!o.heatmap.empty()) options.tile.overview_side = kHeatmapSide;
  if (!o.explain.empty()) options.tile.explain_hottest = kExplainedTiles;
  options.on_scan = [&o, &predictor, stems = std::make_shared<std::set<std::string>>()](const ImageResult& result,
                                                                                       const SlideScan& scan) {
    const std::string name = unique_stem(result.path, *stems);
    if (!o.heatmap.empty()) write_heatmap(o, predictor.model(), name, result, scan);
    if (!o.explain.empty()) write_tile_explanations(o, name, scan);
  };
  return options;
}

void classify_shard(Options& o, const std::vector<std::filesystem::path>& files) {
  if (o.out.empty()) throw InputError("--shard needs --out FILE (the shard file that merge reads)");
  if (o.format_option->count() > 0) throw InputError("--format: a shard file is JSON; choose the format at merge");
  ShardFile shard;
  shard.header.shard = parse_shard_spec(o.shard, std::getenv("SLURM_ARRAY_TASK_ID"), std::getenv("SLURM_ARRAY_TASK_COUNT"));
  shard.header.model_sha256 = sha256_file_hex(o.model);
  shard.header.inputs_sha256 = input_list_sha256(files);
  shard.header.total_inputs = files.size();
  shard.header.settings = classify_settings(o.threshold, o.classify);
  const std::string name = "shard " + shard.header.shard.text();
  if (const auto done = completed_shard(o.out, shard.header)) {
    std::fprintf(stderr, "%s: already complete in %s (%zu images), nothing to do\n", name.c_str(), o.out.c_str(),
                 done->results.size());
    return;
  }
  const auto [begin, end] = shard_range(files.size(), shard.header.shard);
  Predictor predictor = make_predictor(o, end - begin);
  shard.header.classes = predictor.model().classes;
  shard.results = classify_files(predictor, {files.begin() + long(begin), files.begin() + long(end)},
                                 classify_options(o, predictor));
  write_file_atomic(o.out, shard_file_text(shard));
  const auto summary = summarize(shard.results);
  std::fprintf(stderr, "%s: %zu of %zu images (%d classified, %d errors) -> %s\n", name.c_str(), end - begin,
               files.size(), summary.classified, summary.errors, o.out.c_str());
}

}  // namespace

void add_classify(CLI::App& app) {
  auto opts = std::make_shared<Options>();
  opts->classify.batch = 0;  // throughput_batch() unless --batch says otherwise
  auto* cmd = app.add_subcommand("classify", "classify images or folders of images");
  add_option(cmd, flags::model, opts->model)->required();
  add_option(cmd, flags::threshold, opts->threshold);
  opts->format_option = add_option(cmd, flags::format, opts->format);
  add_option(cmd, flags::threads, opts->threads);
  add_option(cmd, flags::batch, opts->classify.batch);
  add_option(cmd, flags::shard, opts->shard);
  add_option(cmd, flags::out_file, opts->out);
  add_option(cmd, flags::precision, opts->precision);
  add_tiling_options(cmd, opts->classify);
  add_option(cmd, flags::heatmap, opts->heatmap);
  add_option(cmd, flags::explain, opts->explain);
  cmd->add_option("inputs", opts->inputs, "image files or folders (searched recursively)")->required();
  cmd->callback([opts] {
    const std::vector<std::filesystem::path> inputs(opts->inputs.begin(), opts->inputs.end());
    const auto files = list_images(inputs);
    if (!opts->shard.empty()) return classify_shard(*opts, files);
    Predictor predictor = make_predictor(*opts, files.size());
    const auto results = classify_files(predictor, files, classify_options(*opts, predictor));
    if (!opts->explain.empty()) write_explanations(*opts, predictor, results);
    print_results(results, predictor.model(), opts->format, opts->out);
  });
}

}  // namespace blastscan::cli
