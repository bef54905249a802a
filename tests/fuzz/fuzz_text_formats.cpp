// The small text formats a user hands blastscan: labels.txt, a training --config (JSON), and
// a manifest (JSON or CSV). The first byte picks the parser, the rest is the text; each gives
// its value or an InputError, and what parses keeps its promises (ids in range, classes named).
#include "base/error.h"
#include "data/manifest.h"
#include "formats/labels.h"
#include "fuzz/fuzz_check.h"
#include "train/config.h"

using namespace blastscan;

namespace {

void fuzz_labels(std::string_view text) {
  const std::vector<std::string> classes = parse_labels(text, "labels.txt");
  fuzz::check(!classes.empty(), "labels.txt gives at least one class");
  for (const auto& c : classes) fuzz::check(!c.empty(), "no class name is empty");
}

void fuzz_config(std::string_view text) {
  const TrainConfig config = parse_train_config_text(text, "blastscan.json");
  fuzz::check(config.batch_size > 0 && config.epochs >= 0, "batch size and epochs are in range");
  fuzz::check(parse_train_config(to_json(config), "written back") == config, "a config written back reads the same");
}

void fuzz_manifest(std::string_view text, ManifestFormat format) {
  const Dataset ds = parse_manifest(text, format, "/data", "manifest");
  for (const auto& s : ds.samples)
    fuzz::check(s.label >= 0 && size_t(s.label) < ds.classes.size(), "every sample's label is a class id");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text = fuzz::as_text({data + 1, size - 1});
  try {
    switch (data[0] % 4) {
      case 0: fuzz_labels(text); break;
      case 1: fuzz_config(text); break;
      case 2: fuzz_manifest(text, ManifestFormat::json); break;
      case 3: fuzz_manifest(text, ManifestFormat::csv); break;
    }
  } catch (const InputError&) {
  }
  return 0;
}
