// ONNX export of a blastscan model, written with the system ONNX library's protobuf classes
// (libonnx-dev), opset 13, so that OpenCV DNN, ONNX Runtime, OpenVINO and TensorRT can run it.
//
// Layout: the input is the same as the frozen GraphDef's: `input`, float32 NHWC
// [N,299,299,3], RGB already scaled to [-1,1]. A Transpose right after it turns it into NCHW,
// ONNX's native layout, so every runtime runs the convs natively and users feed the same
// tensor to the .pb and the .onnx. Node names keep the TF-Slim scopes
// ("InceptionV3/Mixed_6b/Branch_1/Conv2d_0b_1x7/Conv2D"), so one grep finds both files.
// Output: `InceptionV3/Predictions/Softmax` [N,K] with a head, else the global average
// `InceptionV3/Logits/AvgPool_1a_8x8` [N,C,1,1].
// metadata_props hold the class names, the ALL classes, the end point and the
// preprocessing (in words and as mean/scale/crop numbers; a recipe that numbers cannot say,
// gray, is exported too, with preprocessing_by_numbers "false" and the step the caller must do
// first in preprocessing_step_before).
//
// Import of ONNX is left out on purpose: the frozen GraphDef is blastscan's own format.
#pragma once
#include <cstdint>
#include <filesystem>
#include <vector>

#include "inception/model.h"

namespace blastscan {

inline constexpr int kOnnxOpset = 13;

// The serialized ModelProto. image_size is the input height = width.
std::vector<uint8_t> serialize_onnx(const Model& model, int image_size = 299);
// Writes path atomically.
void save_onnx(const Model& model, const std::filesystem::path& path, int image_size = 299);

}  // namespace blastscan
