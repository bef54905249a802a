// CSV (RFC 4180 quoting) for spreadsheets and people, JSON for programs; both carry the same
// rows. Columns: path, hash, label, class, split, group, source.
#include "data/manifest.h"

#include <iterator>
#include <utility>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/file_io.h"
#include "base/json_number.h"
#include "base/safe_text.h"
#include "formats/labels.h"

namespace blastscan {

namespace {

const std::vector<std::string> kColumns = {"path", "hash", "label", "class", "split", "group", "source"};

// Relative to the manifest's folder when the two share more than the filesystem root (the
// pair can then move together), else absolute ("../../srv/data/..." from /tmp helps nobody).
fs::path relative_to(const fs::path& path, const fs::path& dir) {
  if (path.empty()) return path;
  const fs::path abs = fs::absolute(path).lexically_normal(), base = fs::absolute(dir).lexically_normal();
  const auto a = abs.begin(), b = base.begin();
  const bool share_top_folder = std::distance(abs.begin(), abs.end()) > 1 && std::distance(base.begin(), base.end()) > 1 &&
                                *std::next(a) == *std::next(b);
  const fs::path rel = abs.lexically_relative(base);
  return share_top_folder && !rel.empty() ? rel : abs;
}

fs::path resolve(const std::string& stored, const fs::path& dir) {
  if (stored.empty()) return {};
  const fs::path p(stored);
  return p.is_absolute() ? p : (dir / p).lexically_normal();
}

// ---- CSV

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// Splits CSV text into rows of fields (quoted fields may hold commas, quotes and newlines).
std::vector<std::vector<std::string>> parse_csv(const std::string& text, const std::string& name) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, field_started = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"' && field.empty()) {
      quoted = field_started = true;
    } else if (c == ',') {
      row.push_back(std::exchange(field, {}));
      field_started = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      row.push_back(std::exchange(field, {}));
      rows.push_back(std::exchange(row, {}));
      field_started = false;
    } else {
      field += c;
      field_started = true;
    }
  }
  if (quoted) throw InputError(name + ": unterminated quoted field");
  if (!field.empty() || field_started || !row.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string to_csv(const Dataset& ds, const fs::path& dir) {
  std::string out;
  for (size_t i = 0; i < kColumns.size(); ++i) out += (i ? "," : "") + kColumns[i];
  out += "\n";
  for (const auto& s : ds.samples) {
    const std::vector<std::string> fields = {relative_to(s.path, dir).string(), s.hash, std::to_string(s.label),
                                             ds.classes.at(s.label), s.split, s.group,
                                             relative_to(s.source, dir).string()};
    for (size_t i = 0; i < fields.size(); ++i) out += (i ? "," : "") + csv_field(fields[i]);
    out += "\n";
  }
  return out;
}

int parse_label(const std::string& text, const std::string& where) {
  const bool digits = !text.empty() && text.size() <= 6 && text.find_first_not_of("0123456789") == std::string::npos;
  if (!digits) throw InputError(where + ": label '" + text + "' is not a class id");
  return std::stoi(text);
}

// CSV rows carry both the label id and the class name: the class list is rebuilt from them
// (`classes`, from labels.txt, gives the ids of classes with no rows).
Dataset parse_csv_manifest(std::string_view text, const fs::path& dir, const std::string& name,
                           std::vector<std::string> classes) {
  const auto rows = parse_csv(std::string(text), name);
  if (rows.empty() || rows[0] != kColumns)
    throw InputError(name + ": not a blastscan manifest (expected the header line path,hash,label,class,split,group,source)");
  Dataset ds;
  ds.classes = std::move(classes);
  for (size_t r = 1; r < rows.size(); ++r) {
    const std::string where = name + ":" + std::to_string(r + 1);
    const auto& f = rows[r];
    if (f.size() != kColumns.size())
      throw InputError(where + ": " + std::to_string(f.size()) + " fields, expected " + std::to_string(kColumns.size()));
    const int label = parse_label(f[2], where);
    if (size_t(label) >= ds.classes.size()) ds.classes.resize(label + 1);
    if (ds.classes[label].empty()) ds.classes[label] = f[3];
    if (ds.classes[label] != f[3])
      throw InputError(where + ": class '" + f[3] + "' but label " + f[2] + " is '" + ds.classes[label] + "'");
    ds.samples.push_back(
        {.path = resolve(f[0], dir), .label = label, .group = f[5], .hash = f[1], .split = f[4], .source = resolve(f[6], dir)});
  }
  for (size_t i = 0; i < ds.classes.size(); ++i)
    if (ds.classes[i].empty()) throw InputError(name + ": no row names class id " + std::to_string(i));
  return ds;
}

// ---- JSON

nlohmann::json to_json(const Dataset& ds, const fs::path& dir) {
  nlohmann::json samples = nlohmann::json::array(), skipped = nlohmann::json::array();
  for (const auto& s : ds.samples)
    samples.push_back({{"path", relative_to(s.path, dir).string()},
                       {"hash", s.hash},
                       {"label", s.label},
                       {"class", ds.classes.at(s.label)},
                       {"split", s.split},
                       {"group", s.group},
                       {"source", relative_to(s.source, dir).string()}});
  for (const auto& k : ds.skipped) skipped.push_back({{"path", relative_to(k.path, dir).string()}, {"reason", k.reason}});
  return {{"format", "blastscan-manifest-1"}, {"classes", ds.classes}, {"samples", samples}, {"skipped", skipped}};
}

Dataset parse_json_manifest(std::string_view text, const fs::path& dir, const std::string& name) {
  Dataset ds;
  try {
    const auto j = nlohmann::json::parse(text);
    if (j.value("format", "") != "blastscan-manifest-1") throw InputError(name + ": not a blastscan manifest");
    ds.classes = j.at("classes").get<std::vector<std::string>>();
    const auto& samples = j.at("samples");
    for (size_t i = 0; i < samples.size(); ++i) {
      const auto& s = samples[i];
      const std::string where = name + ": samples[" + std::to_string(i) + "]";
      const int label = json_number<int>(s.at("label"));
      if (label < 0 || size_t(label) >= ds.classes.size())
        throw InputError(where + ": label " + std::to_string(label) + " is not a class id");
      ds.samples.push_back({.path = resolve(s.at("path").get<std::string>(), dir),
                            .label = label,
                            .group = s.value("group", ""),
                            .hash = s.value("hash", ""),
                            .split = s.value("split", ""),
                            .source = resolve(s.value("source", ""), dir)});
    }
    for (const auto& k : j.value("skipped", nlohmann::json::array()))
      ds.skipped.push_back({resolve(k.at("path").get<std::string>(), dir), k.at("reason").get<std::string>()});
  } catch (const nlohmann::json::exception& e) {
    throw InputError(name + ": bad manifest JSON: " + e.what());
  }
  if (ds.classes.empty()) throw InputError(name + ": no classes");
  return ds;
}

}  // namespace

void write_manifest(const Dataset& dataset, const fs::path& dir) {
  write_file_atomic(dir / "labels.txt", format_labels(dataset.classes));
  write_file_atomic(dir / "manifest.csv", to_csv(dataset, dir));
  write_file_atomic(dir / "manifest.json", json_text(to_json(dataset, dir), 1));
}

Dataset parse_manifest(std::string_view text, ManifestFormat format, const fs::path& dir, const std::string& name,
                       std::vector<std::string> classes) {
  return format == ManifestFormat::json ? parse_json_manifest(text, dir, name)
                                        : parse_csv_manifest(text, dir, name, std::move(classes));
}

Dataset load_manifest(const fs::path& path) {
  const std::string ext = path.extension().string();
  const fs::path dir = path.parent_path();
  if (ext == ".json") return parse_manifest(read_text_file(path), ManifestFormat::json, dir, path.string());
  if (ext != ".csv") throw InputError(path.string() + ": a manifest is a .json or .csv file");
  // CSV rows name their classes; labels.txt beside the manifest adds the ids of classes with no rows.
  std::vector<std::string> classes;
  if (const fs::path labels = dir / "labels.txt"; fs::exists(labels))
    classes = parse_labels(read_text_file(labels), labels.string());
  return parse_manifest(read_text_file(path), ManifestFormat::csv, dir, path.string(), std::move(classes));
}

}  // namespace blastscan
