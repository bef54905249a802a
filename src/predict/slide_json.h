// A scanned slide as JSON, the form `classify --heatmap` writes beside the PNG and `serve`
// answers with: the slide's size and answer, the tile counts, and every tile with its box (in
// pixels of the level read) and, unless it was background, its class probabilities.
#pragma once
#include <nlohmann/json.hpp>

#include "predict/slide_scan.h"

namespace blastscan {

// {"size", "stride", "total", "background", "classified", "all", "score"}: every output format's
// tile counts (the JSON key is "tile_counts" wherever they appear).
nlohmann::ordered_json tile_counts_json(const TileSummary& summary);
// And back (a merge of shard files reads them); throws nlohmann's exceptions for a bad object.
TileSummary tile_counts_from_json(const nlohmann::json& counts);
nlohmann::ordered_json slide_scan_json(const SlideScan& scan, const Model& model);

}  // namespace blastscan
