// The manifest: one row per image (path, content hash, label, class, split, group) as CSV and
// JSON, plus labels.txt. Paths are stored relative to the manifest's folder, so an output folder
// can move together with (or relative to) its images; loading resolves them back.
#pragma once
#include <filesystem>

#include "data/dataset.h"

namespace blastscan {

// Writes DIR/manifest.csv, DIR/manifest.json and DIR/labels.txt, each atomically. The JSON
// also holds the class list and the skipped files.
void write_manifest(const Dataset& dataset, const fs::path& dir);

// Reads manifest.json or manifest.csv (by extension). Throws InputError naming the file and the
// line or field that is wrong.
Dataset load_manifest(const fs::path& path);

}  // namespace blastscan
