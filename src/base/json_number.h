// Numbers taken from JSON that blastscan reads (manifests, model metadata, shard and result
// files). nlohmann's get<int>() and get<float>() convert with a plain cast: a value outside the
// type's range (1e77 as an int, 1e300 as a float) is undefined behaviour rather than an error
// (fuzz_text_formats found it in a manifest's label), and a fraction is silently cut. These
// check first and throw nlohmann's own out_of_range / type_error, which every reader already
// turns into its one-line error naming the file. A float comes back as the float whose
// shortest text the writer printed (written_float, base/float_text.h).
#pragma once
#include <cmath>
#include <limits>
#include <string>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "base/float_text.h"

namespace blastscan {

template <class T>
T json_number(const nlohmann::json& value) {
  static_assert(std::is_arithmetic_v<T> && !std::is_same_v<T, bool>);
  if (!value.is_number())
    throw nlohmann::json::type_error::create(302, "expected a number, got " + std::string(value.type_name()), &value);
  const double d = value.get<double>();  // exact for every integer an int or a float can take
  if constexpr (std::is_integral_v<T>) {
    const bool fits = value.is_number_integer() || (std::isfinite(d) && d == std::floor(d));
    if (!fits || d < double(std::numeric_limits<T>::min()) || d > double(std::numeric_limits<T>::max()))
      throw nlohmann::json::out_of_range::create(406, "number " + value.dump() + " is not an integer in range", &value);
    return value.is_number_unsigned() ? T(value.get<uint64_t>()) : value.is_number_integer() ? T(value.get<int64_t>()) : T(d);
  } else {
    if (!std::isfinite(d) || std::abs(d) > double(std::numeric_limits<T>::max()))
      throw nlohmann::json::out_of_range::create(406, "number " + value.dump() + " is out of range", &value);
    if constexpr (std::is_same_v<T, float>) return written_float(d);
    return T(d);
  }
}

}  // namespace blastscan
