// One labelled image as a tf.Example with TF-Slim's keys (datasets/dataset_utils.py
// image_to_tfexample): image/encoded, image/format, image/class/label, image/height,
// image/width, the form the seed's TFRecord shards held.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace blastscan {

struct ImageExample {
  std::vector<uint8_t> encoded;  // the image file's bytes, unchanged
  std::string format;            // "jpg", "png", ... (TF-Slim writes "jpg" for JPEG)
  int64_t label = 0;
  int64_t height = 0, width = 0;
};

std::string serialize_image_example(const ImageExample& example);

// Throws InputError("<name>: ...") if the bytes are not a tf.Example or a key is missing or of
// the wrong type.
ImageExample parse_image_example(std::span<const uint8_t> bytes, const std::string& name);

}  // namespace blastscan
