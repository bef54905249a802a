#include "data/dataset.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "base/error.h"
#include "base/file_io.h"
#include "base/safe_text.h"
#include "data/manifest.h"
#include "formats/labels.h"

namespace blastscan {

namespace {

bool is_hidden(const fs::path& p) { return p.filename().string().starts_with('.'); }

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

// ImNNN_L with L in {0,1}: {NNN, L}.
std::optional<std::pair<long, int>> parse_all_idb_name(const fs::path& path) {
  const std::string stem = path.stem().string();
  if (stem.size() < 5 || !stem.starts_with("Im")) return std::nullopt;
  const size_t underscore = stem.rfind('_');
  if (underscore == std::string::npos || underscore < 3 || underscore + 2 != stem.size()) return std::nullopt;
  const std::string digits = stem.substr(2, underscore - 2);
  const char label = stem.back();
  if (!all_digits(digits) || (label != '0' && label != '1')) return std::nullopt;
  return std::make_pair(std::stol(digits), label - '0');
}

// True for an entry that is a folder (following symbolic links); false for anything that
// cannot be looked at (a dangling link, a link loop), which is then read, and fails, as a file.
bool is_folder(const fs::directory_entry& entry) {
  std::error_code ec;
  return entry.is_directory(ec);
}

// Everything but folders below `dir` (recursively), sorted, hidden ones left out: regular
// files, and also dangling links, link loops, FIFOs..., so that each becomes an error row or a
// skipped file with its reason (reading refuses them) instead of aborting the walk.
std::vector<fs::path> files_below(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (is_hidden(it->path())) {
      if (is_folder(*it)) it.disable_recursion_pending();
      continue;
    }
    if (!is_folder(*it)) files.push_back(it->path());
  }
  if (ec) throw InputError(dir.string() + ": cannot list: " + ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// Class ids: from the labels file when there is one (it must name exactly `found`), else `found`.
std::vector<std::string> resolve_classes(std::vector<std::string> found, const fs::path& labels_file) {
  if (labels_file.empty()) return found;
  std::vector<std::string> classes = parse_labels(read_text_file(labels_file), labels_file.string());
  std::vector<std::string> listed = classes;
  std::sort(listed.begin(), listed.end());
  std::sort(found.begin(), found.end());
  if (listed != found)
    throw InputError(labels_file.string() + ": lists classes {" + join(listed) + "} but the dataset has {" +
                     join(found) + "}");
  return classes;
}

// The manifest (JSON) and the model's metadata hold paths and class names as UTF-8 text; a name
// that is not UTF-8 could not be read back as the same path.
const char* const kNotUtf8 = "name is not valid UTF-8 (the manifest and the model store names as UTF-8; rename it)";

Dataset scan_class_folders(const std::vector<fs::path>& folders, const std::vector<fs::path>& root_files,
                           const fs::path& labels_file) {
  std::vector<std::string> names;
  for (const auto& f : folders) {
    names.push_back(f.filename().string());
    if (!is_valid_utf8(names.back())) throw InputError(f.string() + ": class folder " + kNotUtf8);
  }
  Dataset ds;
  ds.classes = resolve_classes(names, labels_file);
  for (const auto& folder : folders) {
    const std::string name = folder.filename().string();
    const int label = static_cast<int>(std::find(ds.classes.begin(), ds.classes.end(), name) - ds.classes.begin());
    size_t images = 0;
    for (const auto& file : files_below(folder)) {
      if (!is_valid_utf8(file.string())) {
        ds.skipped.push_back({file, std::string("file ") + kNotUtf8});
        continue;
      }
      if (!has_image_extension(file)) {
        ds.skipped.push_back({file, "not an image file (extension " + file.extension().string() + ")"});
        continue;
      }
      ds.samples.push_back({.path = file, .label = label});
      ++images;
    }
    if (images == 0) throw InputError(folder.string() + ": empty class (no images)");
  }
  for (const auto& file : root_files)
    if (has_image_extension(file)) ds.skipped.push_back({file, "image outside any class folder"});
  return ds;
}

Dataset scan_all_idb(const fs::path& root, const std::vector<fs::path>& files, const fs::path& labels_file) {
  Dataset ds;
  ds.classes = kAllIdbClasses;
  if (!labels_file.empty()) {
    ds.classes = parse_labels(read_text_file(labels_file), labels_file.string());
    if (ds.classes.size() != 2)
      throw InputError(labels_file.string() + ": ALL-IDB names ImNNN_L need exactly the classes 0 and 1, found " +
                       std::to_string(ds.classes.size()));
  }
  std::set<int> seen;
  for (const auto& file : files) {
    if (!has_image_extension(file)) continue;  // README, labels.txt: not part of the data
    if (!is_valid_utf8(file.string())) {
      ds.skipped.push_back({file, std::string("file ") + kNotUtf8});
      continue;
    }
    if (const auto parsed = parse_all_idb_name(file)) {
      ds.samples.push_back({.path = file, .label = parsed->second});
      seen.insert(parsed->second);
    } else {
      ds.skipped.push_back({file, "name is not ImNNN_L (ALL-IDB) and not in a class folder: label unknown"});
    }
  }
  if (ds.samples.empty())
    throw InputError(root.string() + ": no images found (expected class folders or ALL-IDB ImNNN_L names)");
  for (int label = 0; label < 2; ++label)
    if (!seen.count(label))
      throw InputError(root.string() + ": no images of class " + std::to_string(label) + " (" + ds.classes[label] +
                       "): a dataset needs at least two classes");
  return ds;
}

}  // namespace

namespace {

std::string lower_extension(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext;
}

}  // namespace

bool has_image_extension(const fs::path& path) {
  const std::string ext = lower_extension(path);
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".tif" || ext == ".tiff" || ext == ".bmp";
}

bool has_slide_extension(const fs::path& path) {
  const std::string ext = lower_extension(path);
  return ext == ".svs" || ext == ".ndpi" || ext == ".vms" || ext == ".scn" || ext == ".mrxs" || ext == ".svslide" ||
         ext == ".bif";
}

Dataset scan_dataset(const fs::path& root, const ScanOptions& options) {
  std::error_code ec;
  if (!fs::exists(root, ec)) throw InputError(root.string() + ": no such folder");
  if (!fs::is_directory(root, ec)) throw InputError(root.string() + ": not a folder");
  fs::path labels_file = options.labels_file;
  if (labels_file.empty() && fs::is_regular_file(root / "labels.txt", ec)) labels_file = root / "labels.txt";

  std::vector<fs::path> folders, files;
  for (auto it = fs::directory_iterator(root, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    if (is_hidden(it->path())) continue;
    (is_folder(*it) ? folders : files).push_back(it->path());
  }
  if (ec) throw InputError(root.string() + ": cannot list: " + ec.message());
  std::sort(folders.begin(), folders.end());
  std::sort(files.begin(), files.end());

  Dataset ds = folders.empty() ? scan_all_idb(root, files, labels_file) : scan_class_folders(folders, files, labels_file);
  if (ds.classes.size() < 2)
    throw InputError(root.string() + ": only one class (" + join(ds.classes) + "); a classifier needs at least two");
  std::sort(ds.samples.begin(), ds.samples.end(), [](const Sample& a, const Sample& b) { return a.path < b.path; });
  return ds;
}

Dataset load_dataset(const fs::path& dir_or_manifest, const ScanOptions& options) {
  std::error_code ec;
  if (fs::is_regular_file(dir_or_manifest, ec)) return load_manifest(dir_or_manifest);
  if (fs::is_regular_file(dir_or_manifest / "manifest.json", ec)) return load_manifest(dir_or_manifest / "manifest.json");
  return scan_dataset(dir_or_manifest, options);
}

Dataset select_split(const Dataset& dataset, std::string_view split) {
  Dataset out;
  out.classes = dataset.classes;
  for (const auto& s : dataset.samples)
    if (s.split == split) out.samples.push_back(s);
  if (out.samples.empty())
    throw InputError("dataset has no '" + std::string(split) +
                     "' images (split it first with `blastscan prepare`, and pass its manifest)");
  return out;
}

std::optional<std::string> class_from_path(const fs::path& image, const std::vector<std::string>& classes) {
  const std::string folder = image.parent_path().filename().string();
  if (std::find(classes.begin(), classes.end(), folder) != classes.end()) return folder;
  if (const auto parsed = parse_all_idb_name(image); parsed && classes.size() == 2) return classes[parsed->second];
  return std::nullopt;
}

std::vector<fs::path> list_images(const std::vector<fs::path>& inputs) {
  std::vector<fs::path> images;
  std::string first_problem;  // of an input that gives no image
  std::error_code ec;
  for (const auto& input : inputs) {
    const size_t before = images.size();
    if (fs::is_directory(input, ec)) {
      for (const auto& file : files_below(input))
        if (has_image_extension(file) || has_slide_extension(file)) images.push_back(file);
      if (images.size() > before) continue;
      if (first_problem.empty()) first_problem = input.string() + ": no images in this folder";
    } else if (const std::string problem = not_a_readable_file(input); !problem.empty() && first_problem.empty()) {
      first_problem = input.string() + ": " + problem;
    }
    // Named explicitly: kept even if it is missing, a dangling link, a folder without images
    // or not an image, so that it becomes an error row beside the good ones.
    if (images.size() == before) images.push_back(input);
  }
  if (images.empty()) throw InputError("no images given");
  const bool none_readable = std::all_of(images.begin(), images.end(), [](const fs::path& p) {
    return !not_a_readable_file(p).empty();
  });
  if (none_readable && !first_problem.empty()) throw InputError(first_problem);  // one line, as a bad argument
  return images;
}

std::optional<long> image_number(const fs::path& path) {
  if (const auto parsed = parse_all_idb_name(path)) return parsed->first;
  const std::string stem = path.stem().string();
  const size_t end = stem.find_last_of("0123456789");
  if (end == std::string::npos) return std::nullopt;
  size_t begin = end;
  while (begin > 0 && std::isdigit(static_cast<unsigned char>(stem[begin - 1]))) --begin;
  const std::string digits = stem.substr(begin, std::min<size_t>(end + 1 - begin, 18));
  return std::stol(digits);
}

}  // namespace blastscan
