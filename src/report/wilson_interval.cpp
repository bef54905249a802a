#include "report/wilson_interval.h"

#include <algorithm>
#include <cmath>

namespace blastscan {

Interval wilson_interval(size_t successes, size_t n, double z) {
  if (n == 0) return {0.0, 1.0};
  const double N = static_cast<double>(n);
  const double p = static_cast<double>(successes) / N;
  const double z2 = z * z;
  const double centre = (p + z2 / (2 * N)) / (1 + z2 / N);
  const double half = z / (1 + z2 / N) * std::sqrt(p * (1 - p) / N + z2 / (4 * N * N));
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

}  // namespace blastscan
