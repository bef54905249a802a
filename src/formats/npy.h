// NumPy .npy files (format version 1.0, little-endian float32, C order): the simplest way to
// hand a tensor to Python (numpy.load) and from there to TensorFlow, ONNX Runtime or OpenVINO.
// Writing only; blastscan never needs to read them.
#pragma once
#include <filesystem>

#include "tensor/tensor.h"

namespace blastscan {

// The bytes of an .npy file holding t ('<f4', shape t.shape).
std::vector<uint8_t> npy_bytes(const Tensor& t);
// Writes the file atomically.
void save_npy(const Tensor& t, const std::filesystem::path& path);

}  // namespace blastscan
