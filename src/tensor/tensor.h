// Shapes and dense float32 tensors. Layout is the TensorFlow file side: NHWC activations,
// HWIO filters. No dependencies beyond the standard library.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace blastscan {

using Shape = std::vector<int64_t>;

int64_t element_count(const Shape& shape);
std::string to_string(const Shape& shape);  // "[3,3,32,64]"

struct Tensor {
  Shape shape;
  std::vector<float> data;

  Tensor() = default;
  explicit Tensor(Shape s) : shape(std::move(s)), data(static_cast<size_t>(element_count(shape)), 0.f) {}
  Tensor(Shape s, std::vector<float> values);

  int64_t size() const { return static_cast<int64_t>(data.size()); }
  int64_t dim(int i) const { return shape.at(static_cast<size_t>(i)); }
  float* ptr() { return data.data(); }
  const float* ptr() const { return data.data(); }
  bool operator==(const Tensor&) const = default;
};

}  // namespace blastscan
