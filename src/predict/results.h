// Per-image results of classifying a list of files (locally or through the server), their
// summary in the seed's words, and their rendering as a table, JSON or CSV.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/progress.h"
#include "data/slide_source.h"
#include "predict/predictor.h"
#include "predict/slide_scan.h"

namespace blastscan {

struct ImageResult {
  std::filesystem::path path;
  std::optional<Prediction> prediction;  // empty when the image could not be classified
  std::string error;                     // why not, one line
  std::optional<std::string> true_class; // from the class folder or the ALL-IDB name
  std::optional<TileSummary> tiles;      // when the image was scanned tile by tile
  std::optional<bool> correct() const {
    if (!prediction || !true_class) return std::nullopt;
    return prediction->label == *true_class;
  }
};

struct ResultSummary {
  int classified = 0, errors = 0;
  int correct = 0, incorrect = 0;       // where the true class is known
  int low = 0, low_correct = 0, low_incorrect = 0;
  int positive = 0;                     // "ALL detected"
};

ResultSummary summarize(const std::vector<ImageResult>& results);
// "N correct, N incorrect, N low confidence: (N correct, N incorrect)", as the seed's classifier.
std::string seed_summary_line(const ResultSummary& summary);

// When to scan an image tile by tile. Automatic: images more than twice the network input on
// either side, and slide files (which are never loaded whole).
enum class Tiling { automatic, always, never };

struct ClassifyOptions {
  int batch = 1;  // whole images per network run (throughput_batch() picks one)
  Tiling tiling = Tiling::automatic;
  TilingOptions tile;
  SlideLevel level;  // for slide files
  // Told why an image is tiled ("X: 2592x1944 image, more than twice ..., scanned in 63 tiles").
  std::function<void(const std::string&)> note;
  ProgressFn progress;         // images done of all
  TileProgress tile_progress;  // per scanned image, tiles done of total
  // Each scanned image with its tiles (e.g. to draw a heat-map), before the next one is read.
  std::function<void(const ImageResult&, const SlideScan&)> on_scan;
};

// The batch for classifying `images` files (or requests) on `threads` network threads (0 = all
// cores) when the caller did not choose one: 1 for a single file (the one-image schedule, branches on concurrent
// threads, the least memory); otherwise throughput mode, one image per thread, with a few
// images per thread in each run so that no thread waits long for the slowest (up to 16).
int throughput_batch(size_t images, int threads);

// Classifies files in batches, decoding the next files on a thread of its own while the network
// runs; a file that cannot be read or decoded becomes an error row and the rest go on. Large
// images and slide files are scanned tile by tile (slide_scan.h). Reports each image done to
// options.progress.
std::vector<ImageResult> classify_files(Predictor& predictor, const std::vector<std::filesystem::path>& files,
                                        const ClassifyOptions& options);

// One result as a row of the JSON format, and back (a merge of shard files reads rows this way
// and prints them with format_results, so a merged run prints what one run would have).
// Throws InputError naming the field when a row is not one of ours.
nlohmann::json result_to_json(const ImageResult& result, const Model& model);
ImageResult result_from_json(const nlohmann::json& row, const Model& model);

// format: "table" (aligned columns and the summary; rows of unreadable images are left out, for
// the caller to report where errors go), "json" or "csv" (error rows in-band). In JSON, keys
// come in the order written and "probabilities" lists the classes in class-id order (as the
// HTTP answer does).
std::string format_results(const std::vector<ImageResult>& results, const Model& model, const std::string& format);

}  // namespace blastscan
