// A labelled image dataset as the rest of blastscan sees it: class names (id = index) and one
// Sample per image. Three layouts on disk are read by one scanner:
//   (a) class folders:  ROOT/<class>/<image>        class ids in sorted folder-name order;
//   (b) ALL-IDB names:  ROOT/ImNNN_L.<ext>           L = 0 "healthy", L = 1 "ALL" (id = L);
//   (c) either of them with ROOT/labels.txt (or ScanOptions::labels_file) in the seed's "0:name"
//       form, which fixes the ids and names; it must agree with the folders (or, for ALL-IDB
//       names, have exactly the ids 0 and 1).
// Only files are listed here; decoding, hashing and splitting happen in prepare.h / split.h.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace blastscan {

namespace fs = std::filesystem;

struct Sample {
  fs::path path{};      // the image file
  int label = -1;       // index into Dataset::classes
  std::string group{};  // images of one group never straddle the split ("" = a group of its own)
  std::string hash{};   // SHA-256 of the file's bytes, "" until hashed
  std::string split{};  // "train", "validation", or "" before splitting
  fs::path source{};    // for an augmented image: the image it was made from, else empty
};

// A file that was found but not used, and why (never dropped silently).
struct SkippedFile {
  fs::path path;
  std::string reason;
};

struct Dataset {
  std::vector<std::string> classes;  // class id = index
  std::vector<Sample> samples;
  std::vector<SkippedFile> skipped;
};

struct ScanOptions {
  fs::path labels_file;  // empty: ROOT/labels.txt if it exists
};

inline constexpr std::string_view kTrain = "train";
inline constexpr std::string_view kValidation = "validation";

// The ALL-IDB class names for L = 0 and L = 1.
inline const std::vector<std::string> kAllIdbClasses = {"healthy", "ALL"};

// Lists a dataset folder in layout (a) or (b), samples sorted by path. Throws InputError for a
// missing folder, no images, an empty class, a single class, or a labels file that disagrees.
Dataset scan_dataset(const fs::path& root, const ScanOptions& options = {});

// DIR (scanned as above), a manifest file (.csv or .json), or a folder holding manifest.json
// (the output of `blastscan prepare`): what train/evaluate accept as --data.
Dataset load_dataset(const fs::path& dir_or_manifest, const ScanOptions& options = {});

// The samples of one split ("train" / "validation"), classes unchanged. Throws InputError if
// the dataset has not been split or the split is empty.
Dataset select_split(const Dataset& dataset, std::string_view split);

// The true class of one image, if its path says it: the parent folder's name when it is one
// of `classes`, else the ALL-IDB suffix ImNNN_L naming classes[L] of a two-class model.
std::optional<std::string> class_from_path(const fs::path& image, const std::vector<std::string>& classes);

// True for the extensions OpenCV decodes and we guard: jpg jpeg png tif tiff bmp (any case).
bool has_image_extension(const fs::path& path);
// True for slide-scanner extensions OpenSlide reads besides TIFF: svs ndpi vms scn mrxs svslide bif.
bool has_slide_extension(const fs::path& path);

// Images named on a command line: files as given, folders searched recursively for image
// and slide files (sorted). An input that cannot be read (missing, a dangling link or a loop,
// a folder without images) is kept in the list, to become an error row beside the good images;
// only when no input can be read at all does it throw InputError (naming the first problem).
std::vector<fs::path> list_images(const std::vector<fs::path>& inputs);

// The running number in a file name: NNN of an ALL-IDB name ImNNN_L, else the last run of
// digits in the stem ("WBC-Pro-011" -> 11). Grouping by blocks of numbers uses it.
std::optional<long> image_number(const fs::path& path);

}  // namespace blastscan
