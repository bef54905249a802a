// Frozen GraphDef import: any bytes give a Model or an InputError, never a crash, an escaped
// exception of another type, or an allocation sized by a declared shape rather than by the
// bytes present (bench/fuzz.sh runs it with -malloc_limit_mb). What import accepts, export
// must write: as a GraphDef that import reads back to the same bytes, and as ONNX that parses
// back as a ModelProto ONNX's own checker passes (the round trip through a reader we do not
// own), with the class names in metadata_props.
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include "base/error.h"
#include "formats/graphdef.h"
#include "formats/onnx_export.h"
#include "fuzz/fuzz_check.h"

using namespace blastscan;

namespace {

void check_graphdef_round_trip(const Model& model) {
  const std::vector<uint8_t> once = serialize_graphdef(model);
  const std::vector<uint8_t> twice = serialize_graphdef(parse_graphdef(once, "fuzz.pb (written back)"));
  fuzz::check(once == twice, "a model written and read back writes the same bytes");
}

void check_onnx_export(const Model& model) {
  const std::vector<uint8_t> bytes = serialize_onnx(model);
  onnx::ModelProto proto;
  fuzz::check(proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())), "the exported bytes parse as ONNX");
  try {
    onnx::checker::check_model(proto);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "onnx checker: %s\n", e.what());
    fuzz::check(false, "ONNX's checker accepts the exported model");
  }
  bool has_classes = model.classes.empty();
  for (const auto& prop : proto.metadata_props()) has_classes |= prop.key() == "classes";
  fuzz::check(has_classes, "a model with class names exports them");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Model model;
  try {
    model = parse_graphdef({data, size}, "fuzz.pb");
  } catch (const InputError&) {
    return 0;
  }
  check_graphdef_round_trip(model);
  check_onnx_export(model);
  return 0;
}
