#include "predict/results.h"

#include <algorithm>
#include <cstdio>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/float_text.h"
#include "base/json_number.h"
#include "base/progress.h"
#include "base/safe_text.h"
#include "data/bounded_queue.h"
#include "data/dataset.h"
#include "data/image.h"
#include "predict/slide_json.h"
#include "predict/tile_grid.h"

namespace blastscan {

ResultSummary summarize(const std::vector<ImageResult>& results) {
  ResultSummary s;
  for (const auto& r : results) {
    if (!r.prediction) {
      ++s.errors;
      continue;
    }
    ++s.classified;
    s.positive += r.prediction->positive;
    const auto correct = r.correct();
    if (correct) (*correct ? s.correct : s.incorrect)++;
    if (r.prediction->low_confidence) {
      ++s.low;
      if (correct) (*correct ? s.low_correct : s.low_incorrect)++;
    }
  }
  return s;
}

std::string seed_summary_line(const ResultSummary& s) {
  char line[160];
  std::snprintf(line, sizeof line, "%d correct, %d incorrect, %d low confidence: (%d correct, %d incorrect)", s.correct,
                s.incorrect, s.low, s.low_correct, s.low_incorrect);
  return line;
}

namespace {

std::string scan_note(const ImageResult& result, const SlideSource& slide, const TilingOptions& tile, bool large) {
  const int stride = tile.stride > 0 ? tile.stride : tile.size;
  const size_t n = tile_grid(slide.size(), tile.size, stride).size();
  return result.path.string() + ": " + slide.describe() + (large ? ", more than twice the network input" : "") +
         ": scanning " + std::to_string(n) + " tiles of " + std::to_string(tile.size) + " pixels, stride " +
         std::to_string(stride) + (large ? " (--no-tile classifies it whole)" : "");
}

}  // namespace

int throughput_batch(size_t images, int threads) {
  if (images <= 1) return 1;
  const int t = threads > 0 ? threads : default_thread_count();
  return int(std::min<size_t>(images, size_t(std::min(4 * t, 16))));
}

namespace {

// A file on its way from the decoding thread: its pixels, or why it could not be read. Slide
// files are left to the consumer, which reads them tile by tile (never whole).
struct DecodedFile {
  size_t index = 0;
  bool slide = false;
  cv::Mat image;
  std::string error;
};

}  // namespace

std::vector<ImageResult> classify_files(Predictor& predictor, const std::vector<std::filesystem::path>& files,
                                        const ClassifyOptions& options) {
  std::vector<ImageResult> results(files.size());
  ProgressCounter progress(options.progress, "classify", files.size());
  std::vector<cv::Mat> images;
  std::vector<size_t> index;
  const auto flush = [&] {
    if (images.empty()) return;
    auto predictions = predictor.predict(images);
    for (size_t i = 0; i < index.size(); ++i) results[index[i]].prediction = std::move(predictions[i]);
    progress.advance(images.size());
    images.clear();
    index.clear();
  };
  const auto scan = [&](ImageResult& result, SlideSource& slide, bool large) {
    if (options.note) options.note(scan_note(result, slide, options.tile, large));
    const SlideScan scanned = scan_slide(slide, predictor, options.tile, options.tile_progress);
    result.tiles = scanned.summary;
    if (scanned.prediction)
      result.prediction = scanned.prediction;
    else
      result.error = result.path.string() + ": all " + std::to_string(scanned.summary.total) +
                     " tiles are background (no stained cells); nothing to classify";
    if (options.on_scan) options.on_scan(result, scanned);
    progress.advance();
  };

  // Files are decoded on their own thread, a batch or two ahead of the network (bounded
  // memory), so decoding overlaps compute.
  produce_and_consume<DecodedFile>(
      size_t(2 * std::max(1, options.batch)),
      [&](const auto& push) {
        for (size_t i = 0; i < files.size(); ++i) {
          DecodedFile file;
          file.index = i;
          try {
            file.slide = options.tiling != Tiling::never && is_slide_file(files[i]);
            if (!file.slide) file.image = load_image(files[i]);
          } catch (const InputError& e) {
            file.error = e.what();
          }
          if (!push(std::move(file))) return;  // the consumer gave up
        }
      },
      [&](DecodedFile& file) {
        ImageResult& result = results[file.index];
        result.path = files[file.index];
        result.true_class = class_from_path(result.path, predictor.model().classes);
        try {
          if (!file.error.empty()) throw InputError(file.error);
          if (file.slide) return scan(result, *open_slide_file(result.path, options.level), false);
          const bool large = is_slide_sized(file.image.size(), predictor.input_size());
          if (options.tiling == Tiling::always || (options.tiling == Tiling::automatic && large))
            return scan(result, *image_slide(std::move(file.image)), large && options.tiling == Tiling::automatic);
          images.push_back(std::move(file.image));
          index.push_back(file.index);
        } catch (const InputError& e) {
          result.error = e.what();
          progress.advance();
        }
        if (int(images.size()) >= options.batch) flush();
      });
  flush();
  return results;
}

namespace {

std::string verdict(const ImageResult& r) {
  const auto c = r.correct();
  return c ? (*c ? "correct" : "incorrect") : "";
}

// " 63 tiles (12 background, 51 classified, 3 ALL), score 0.9731" for scanned images.
std::string tiles_text(const ImageResult& r) {
  if (!r.tiles) return "";
  const auto& t = *r.tiles;
  char text[160];
  std::snprintf(text, sizeof text, "  %d tiles (%d background, %d classified, %d ALL), score %.4f", t.total,
                t.background, t.classified, t.all, t.score);
  return text;
}

std::string format_table(const std::vector<ImageResult>& results) {
  std::string out;
  char line[1024];
  for (const auto& r : results) {
    if (!r.prediction) continue;  // counted in the summary; the caller shows the reason
    const auto& p = *r.prediction;
    // fmt, not a fixed buffer: a long path cut a row at 1,023 bytes, newline included.
    out += fmt::format("{:<9} {:<12} {:.4f} {:<4} {:7.1f} ms  {:<9} {}{}\n", p.positive ? "ALL" : "not ALL",
                       printable(p.label), p.confidence, p.low_confidence ? "LOW" : "", p.ms, verdict(r),
                       printable(r.path.string()), tiles_text(r));
  }
  const auto s = summarize(results);
  std::snprintf(line, sizeof line, "%d classified (%d ALL detected), %d errors\n", s.classified, s.positive, s.errors);
  out += line;
  return out + seed_summary_line(s) + "\n";
}

// Ordered objects: keys in the order written, so "probabilities" lists the classes in class-id
// order (healthy = 0 before ALL = 1), not alphabetically as nlohmann::json's std::map would.
using ordered_json = nlohmann::ordered_json;

ordered_json to_json(const ImageResult& r, const Model& model) {
  ordered_json j = {{"path", r.path.string()}};
  if (r.true_class) j["true_class"] = *r.true_class;
  if (r.tiles) j["tile_counts"] = tile_counts_json(*r.tiles);
  if (!r.prediction) {
    j["error"] = r.error;
    return j;
  }
  const auto& p = *r.prediction;
  ordered_json probabilities = ordered_json::object();
  for (size_t k = 0; k < p.probabilities.size(); ++k) probabilities[model.classes[k]] = as_written(p.probabilities[k]);
  j.update({{"class", p.label}, {"class_id", p.class_id}, {"confidence", as_written(p.confidence)},
            {"low_confidence", p.low_confidence}, {"all_detected", p.positive}, {"probabilities", probabilities},
            {"time_ms", p.ms}});
  if (const auto c = r.correct()) j["correct"] = *c;
  return j;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string format_csv(const std::vector<ImageResult>& results) {
  std::string out =
      "path,class,confidence,low_confidence,all_detected,time_ms,true_class,correct,"
      "tiles,tiles_background,tiles_classified,tiles_all,slide_score,error\n";
  char num[64];
  for (const auto& r : results) {
    out += csv_field(r.path.string()) + ",";
    if (r.prediction) {
      const auto& p = *r.prediction;
      std::snprintf(num, sizeof num, "%.6f,%d,%d,%.2f", p.confidence, p.low_confidence, p.positive, p.ms);
      out += csv_field(p.label) + "," + num;
    } else {
      out += ",,,,";
    }
    out += "," + csv_field(r.true_class.value_or("")) + "," + verdict(r) + ",";
    if (r.tiles) {
      const auto& t = *r.tiles;
      std::snprintf(num, sizeof num, "%d,%d,%d,%d,%.6f,", t.total, t.background, t.classified, t.all, t.score);
      out += num;
    } else {
      out += ",,,,,";
    }
    out += csv_field(r.error) + "\n";
  }
  return out;
}

}  // namespace

nlohmann::json result_to_json(const ImageResult& result, const Model& model) { return to_json(result, model); }

// The inverse of to_json.
ImageResult result_from_json(const nlohmann::json& row, const Model& model) {
  try {
    ImageResult r;
    r.path = row.at("path").get<std::string>();
    if (row.contains("true_class")) r.true_class = row.at("true_class").get<std::string>();
    if (row.contains("tile_counts")) r.tiles = tile_counts_from_json(row.at("tile_counts"));
    if (row.contains("error")) {
      r.error = row.at("error").get<std::string>();
      return r;
    }
    Prediction p;
    p.label = row.at("class").get<std::string>();
    p.class_id = json_number<int>(row.at("class_id"));
    p.confidence = json_number<float>(row.at("confidence"));
    p.low_confidence = row.at("low_confidence").get<bool>();
    p.positive = row.at("all_detected").get<bool>();
    p.ms = json_number<double>(row.at("time_ms"));
    for (const auto& name : model.classes) p.probabilities.push_back(json_number<float>(row.at("probabilities").at(name)));
    if (p.class_id < 0 || size_t(p.class_id) >= model.classes.size() || model.classes[size_t(p.class_id)] != p.label)
      throw InputError("result row " + r.path.string() + ": class_id " + std::to_string(p.class_id) +
                       " is not class '" + p.label + "'");
    r.prediction = std::move(p);
    return r;
  } catch (const nlohmann::json::exception& e) {
    throw InputError(std::string("result row: ") + e.what());
  }
}

std::string format_results(const std::vector<ImageResult>& results, const Model& model, const std::string& format) {
  if (format == "csv") return format_csv(results);
  if (format == "json") {
    ordered_json images = ordered_json::array();
    for (const auto& r : results) images.push_back(to_json(r, model));
    const auto s = summarize(results);
    const ordered_json summary = {{"classified", s.classified}, {"errors", s.errors},     {"all_detected", s.positive},
                                    {"correct", s.correct},       {"incorrect", s.incorrect}, {"low_confidence", s.low},
                                    {"low_correct", s.low_correct}, {"low_incorrect", s.low_incorrect}};
    return json_text(ordered_json{{"images", images}, {"summary", summary}}, 2) + "\n";
  }
  return format_table(results);
}

}  // namespace blastscan
