// Frozen GraphDef import: any bytes give a Model or an InputError, never a crash, an escaped
// exception of another type, or an allocation sized by a declared shape rather than by the
// bytes present (bench/fuzz.sh runs it with -malloc_limit_mb). What import accepts, export
// must write and import read back to the same bytes.
#include "base/error.h"
#include "formats/graphdef.h"
#include "fuzz/fuzz_check.h"

using namespace blastscan;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Model model;
  try {
    model = parse_graphdef({data, size}, "fuzz.pb");
  } catch (const InputError&) {
    return 0;
  }
  const std::vector<uint8_t> once = serialize_graphdef(model);
  const std::vector<uint8_t> twice = serialize_graphdef(parse_graphdef(once, "fuzz.pb (written back)"));
  fuzz::check(once == twice, "a model written and read back writes the same bytes");
  return 0;
}
