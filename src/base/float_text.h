// A float in JSON as it was meant: nlohmann widens a float to double and prints
// 0.003000000026077032 for 0.003f. as_written(0.003f) is the double 0.003, the float's shortest
// round-trip form, so the JSON says 0.003; written_float(0.003) reads it back as the same float.
// Every float blastscan puts into JSON (probabilities, confidences, settings, metrics, maps) goes
// through as_written; doubles go in as they are.
#pragma once
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace blastscan {

inline double as_written(float value) { return std::strtod(fmt::format("{}", value).c_str(), nullptr); }

inline std::vector<double> as_written(const std::vector<float>& values) {
  std::vector<double> out;
  out.reserve(values.size());
  for (float v : values) out.push_back(as_written(v));
  return out;
}

inline std::map<std::string, double> as_written(const std::map<std::string, float>& values) {
  std::map<std::string, double> out;
  for (const auto& [key, v] : values) out.emplace(key, as_written(v));
  return out;
}

// The float a JSON number written by as_written stands for. Parsed into the nearest double and
// then narrowed, a decimal can land one float away from the float nearest to it (double
// rounding); going back through the shortest text of the double avoids that. strtof, not
// std::stof: a subnormal probability is a value, not an out_of_range exception.
inline float written_float(double parsed) { return std::strtof(fmt::format("{}", parsed).c_str(), nullptr); }

}  // namespace blastscan
