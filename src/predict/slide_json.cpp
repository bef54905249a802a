#include "predict/slide_json.h"

#include "base/float_text.h"
#include "base/json_number.h"

namespace blastscan {

nlohmann::ordered_json tile_counts_json(const TileSummary& s) {
  return {{"size", s.size},         {"stride", s.stride}, {"total", s.total}, {"background", s.background},
          {"classified", s.classified}, {"all", s.all},   {"score", as_written(s.score)}};
}

TileSummary tile_counts_from_json(const nlohmann::json& counts) {
  TileSummary s;
  s.size = json_number<int>(counts.at("size"));
  s.stride = json_number<int>(counts.at("stride"));
  s.total = json_number<int>(counts.at("total"));
  s.background = json_number<int>(counts.at("background"));
  s.classified = json_number<int>(counts.at("classified"));
  s.all = json_number<int>(counts.at("all"));
  s.score = json_number<float>(counts.at("score"));
  return s;
}

nlohmann::ordered_json slide_scan_json(const SlideScan& scan, const Model& model) {
  using json = nlohmann::ordered_json;
  json j = {{"width", scan.size.width}, {"height", scan.size.height}, {"source", scan.source}};
  if (scan.prediction) {
    const auto& p = *scan.prediction;
    j["class"] = p.label;
    j["all_detected"] = p.positive;
    j["confidence"] = as_written(p.confidence);
    j["low_confidence"] = p.low_confidence;
  }
  j["tile_counts"] = tile_counts_json(scan.summary);
  json tiles = json::array();
  for (const auto& tile : scan.tiles) {
    json t = {{"x", tile.box.x}, {"y", tile.box.y}, {"width", tile.box.width}, {"height", tile.box.height},
              {"background", tile.background}};
    if (!tile.background) {
      t["class"] = model.classes.at(size_t(tile.class_id));
      t["all_probability"] = as_written(tile.all_probability);
      json probabilities = json::object();
      for (size_t k = 0; k < tile.probabilities.size(); ++k) probabilities[model.classes.at(k)] = as_written(tile.probabilities[k]);
      t["probabilities"] = probabilities;
    }
    tiles.push_back(std::move(t));
  }
  j["tiles"] = std::move(tiles);
  return j;
}

}  // namespace blastscan
