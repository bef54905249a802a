// Central finite differences in double against a layer's analytic gradients (ggml's
// test-backend-ops style): loss = sum(dst . R) for a fixed random R, so d(loss)/d(dst) = R is
// what backward receives. A probe whose evaluation crosses a kink (a ReLU output changing
// sign, a max-pool winner changing) says so by returning nothing and is skipped, counted.
#pragma once
#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace blastscan::testing {

struct GradientReport {
  int checked = 0, skipped = 0, failed = 0;
  double max_error = 0;     // of |numeric - analytic| - rtol * max(|numeric|, |analytic|)
  double analytic_norm = 0; // sum |analytic| over the checked entries: zero would prove nothing
  std::string first_failure;
};

// Perturbs x[i] by +-eps for the indices in `which`, evaluating `loss` (which reads x).
// Passes when |numeric - analytic| <= rtol * max(|numeric|, |analytic|) + atol.
inline GradientReport check_gradient(const std::string& name, std::vector<float>& x, const std::vector<float>& analytic,
                                     const std::function<std::optional<double>()>& loss,
                                     const std::vector<size_t>& which, float eps = 1e-2f, double rtol = 1e-2,
                                     double atol = 1e-3) {
  GradientReport r;
  for (size_t i : which) {
    const float saved = x[i];
    x[i] = saved + eps;
    const auto up = loss();
    x[i] = saved - eps;
    const auto down = loss();
    x[i] = saved;
    if (!up || !down) {
      ++r.skipped;
      continue;
    }
    ++r.checked;
    // The step actually taken in float, not the eps asked for.
    const double step = double(saved + eps) - double(saved - eps);
    const double numeric = (*up - *down) / step;
    const double bound = rtol * std::max(std::fabs(numeric), std::fabs(double(analytic[i]))) + atol;
    const double excess = std::fabs(numeric - analytic[i]) - bound;
    r.analytic_norm += std::fabs(analytic[i]);
    r.max_error = std::max(r.max_error, std::fabs(numeric - analytic[i]));
    if (excess > 0 && r.failed++ == 0) {
      std::ostringstream s;
      s << name << "[" << i << "]: numeric " << numeric << ", analytic " << analytic[i];
      r.first_failure = s.str();
    }
  }
  return r;
}

inline std::vector<size_t> all_indices(size_t n) {
  std::vector<size_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = i;
  return v;
}

// Every `stride`-th index: a spread-out sample when a full check would be slow.
inline std::vector<size_t> every_nth(size_t n, size_t stride) {
  std::vector<size_t> v;
  for (size_t i = 0; i < n; i += stride) v.push_back(i);
  return v;
}

}  // namespace blastscan::testing
