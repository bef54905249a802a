#include "formats/tf_example.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "base/error.h"
#include "tensorflow_example.pb.h"

namespace blastscan {

namespace {

constexpr const char* kEncoded = "image/encoded";
constexpr const char* kFormat = "image/format";
constexpr const char* kLabel = "image/class/label";
constexpr const char* kHeight = "image/height";
constexpr const char* kWidth = "image/width";

void set_bytes(tensorflow::Features& f, const char* key, std::string value) {
  (*f.mutable_feature())[key].mutable_bytes_list()->add_value(std::move(value));
}

void set_int64(tensorflow::Features& f, const char* key, int64_t value) {
  (*f.mutable_feature())[key].mutable_int64_list()->add_value(value);
}

const tensorflow::Feature& feature(const tensorflow::Features& f, const char* key, const std::string& name) {
  const auto it = f.feature().find(key);
  if (it == f.feature().end()) throw InputError(name + ": tf.Example has no '" + key + "'");
  return it->second;
}

const std::string& get_bytes(const tensorflow::Features& f, const char* key, const std::string& name) {
  const auto& feat = feature(f, key, name);
  if (!feat.has_bytes_list() || feat.bytes_list().value_size() != 1)
    throw InputError(name + ": tf.Example '" + key + "' is not a single bytes value");
  return feat.bytes_list().value(0);
}

int64_t get_int64(const tensorflow::Features& f, const char* key, const std::string& name) {
  const auto& feat = feature(f, key, name);
  if (!feat.has_int64_list() || feat.int64_list().value_size() != 1)
    throw InputError(name + ": tf.Example '" + key + "' is not a single int64 value");
  return feat.int64_list().value(0);
}

}  // namespace

std::string serialize_image_example(const ImageExample& example) {
  tensorflow::Example proto;
  auto& f = *proto.mutable_features();
  set_bytes(f, kEncoded, std::string(example.encoded.begin(), example.encoded.end()));
  set_bytes(f, kFormat, example.format);
  set_int64(f, kLabel, example.label);
  set_int64(f, kHeight, example.height);
  set_int64(f, kWidth, example.width);
  // Map order is unspecified; deterministic serialisation makes equal inputs give equal shards.
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    proto.SerializeToCodedStream(&coded);
  }  // the streams flush into `out` when they close
  return out;
}

ImageExample parse_image_example(std::span<const uint8_t> bytes, const std::string& name) {
  tensorflow::Example proto;
  if (!proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    throw InputError(name + ": not a tf.Example");
  const auto& f = proto.features();
  const std::string& encoded = get_bytes(f, kEncoded, name);
  return {std::vector<uint8_t>(encoded.begin(), encoded.end()), get_bytes(f, kFormat, name),
          get_int64(f, kLabel, name), get_int64(f, kHeight, name), get_int64(f, kWidth, name)};
}

}  // namespace blastscan
