// A float in JSON as it was meant: nlohmann widens a float to double and prints
// 0.003000000026077032 for 0.003f. as_written(0.003f) is the double 0.003, the float's shortest
// round-trip form, which reads back as the same float.
#pragma once
#include <string>

#include <fmt/format.h>

namespace blastscan {

inline double as_written(float value) { return std::stod(fmt::format("{}", value)); }

}  // namespace blastscan
