// ONNX export of whatever GraphDef import accepts: the bytes written parse back as an ONNX
// ModelProto that ONNX's own checker passes (the round trip through the reader we do not own),
// with the class names in metadata_props.
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include "base/error.h"
#include "formats/graphdef.h"
#include "formats/onnx_export.h"
#include "fuzz/fuzz_check.h"

using namespace blastscan;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Model model;
  try {
    model = parse_graphdef({data, size}, "fuzz.pb");
  } catch (const InputError&) {
    return 0;
  }
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
  return 0;
}
