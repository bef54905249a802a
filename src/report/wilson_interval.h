// The Wilson score interval for a proportion (accuracy = correct / n). Unlike the normal
// approximation p +- z*sqrt(p(1-p)/n) it stays inside [0,1] and is honest at 0% or 100%,
// which matters for small validation sets and near-perfect classifiers.
// Wilson (1927); see Brown, Cai & DasGupta, "Interval Estimation for a Binomial Proportion" (2001).
#pragma once
#include <cstddef>

namespace blastscan {

struct Interval {
  double low = 0.0;
  double high = 0.0;
};

inline constexpr double kZ95 = 1.959963984540054;  // two-sided 95%

// n = 0 gives [0, 1]: no data, no information.
Interval wilson_interval(size_t successes, size_t n, double z = kZ95);

}  // namespace blastscan
