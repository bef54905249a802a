// TFRecord framing (both CRCs), the tf.Example of each record (the shards prepare writes) and
// TensorBoard's Event records (the event files train writes): bytes -> records or an
// InputError naming the record.
#include "base/error.h"
#include "formats/tf_example.h"
#include "formats/tfevents.h"
#include "formats/tfrecord.h"
#include "fuzz/fuzz_check.h"

using namespace blastscan;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  try {
    TfRecordReader reader(bytes, "fuzz.tfrecord");
    while (const auto record = reader.next()) {
      fuzz::check(record->data() >= data && record->data() + record->size() <= data + size,
                  "a record is a view inside the file's bytes");
      try {
        const ImageExample example = parse_image_example(*record, "fuzz.tfrecord record");
        fuzz::check(example.encoded.size() <= record->size(), "an Example's image is no larger than its record");
      } catch (const InputError&) {
      }
    }
  } catch (const InputError&) {
  }
  try {
    for (const ScalarEvent& event : parse_scalar_events(bytes, "events.out.tfevents.fuzz")) (void)event;
  } catch (const InputError&) {
  }
  return 0;
}
