#include "tensor/tensor.h"

#include <stdexcept>

namespace blastscan {

int64_t element_count(const Shape& shape) {
  int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

std::string to_string(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

Tensor::Tensor(Shape s, std::vector<float> values) : shape(std::move(s)), data(std::move(values)) {
  if (element_count(shape) != size())
    throw std::invalid_argument("tensor: shape " + to_string(shape) + " does not hold " +
                                std::to_string(size()) + " values");
}

}  // namespace blastscan
