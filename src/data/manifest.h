// The manifest: one row per image (path, content hash, label, class, split, group) as CSV and
// JSON, plus labels.txt. Paths are stored relative to the manifest's folder, so an output folder
// can move together with (or relative to) its images; loading resolves them back.
#pragma once
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "data/dataset.h"

namespace blastscan {

// Writes DIR/manifest.csv, DIR/manifest.json and DIR/labels.txt, each atomically. The JSON
// also holds the class list and the skipped files.
void write_manifest(const Dataset& dataset, const fs::path& dir);

// Reads manifest.json or manifest.csv (by extension). Throws InputError naming the file and the
// line or field that is wrong.
Dataset load_manifest(const fs::path& path);

// The same from the manifest's text: stored relative paths resolve against `dir`, `name` names
// it in errors, and `classes` (a CSV manifest's labels.txt, if any) gives class ids no row names.
enum class ManifestFormat { json, csv };
Dataset parse_manifest(std::string_view text, ManifestFormat format, const fs::path& dir, const std::string& name,
                       std::vector<std::string> classes = {});

}  // namespace blastscan
