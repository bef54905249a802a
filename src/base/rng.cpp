#include "base/rng.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <utility>

namespace blastscan {

namespace {
// splitmix64's finaliser: nearby (seed, stream) pairs give unrelated engine seeds.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}
}  // namespace

Rng::Rng(uint64_t seed, uint64_t stream) : engine_(mix(seed ^ mix(stream))) {}

float Rng::uniform() { return static_cast<float>(engine_() >> 40) * 0x1.0p-24f; }

size_t Rng::uniform_index(size_t n) {
  const double u = static_cast<double>(engine_() >> 11) * 0x1.0p-53;
  return static_cast<size_t>(u * static_cast<double>(n));
}

float Rng::normal() {
  const double u1 = (static_cast<double>(engine_() >> 11) + 1.0) * 0x1.0p-53;  // (0, 1]: log is finite
  const double u2 = static_cast<double>(engine_() >> 11) * 0x1.0p-53;
  return static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2));
}

double uniform(std::mt19937& engine, double lo, double hi) {
  const uint64_t a = engine() >> 5, b = engine() >> 6;  // 27 + 26 = 53 random bits
  const double u = static_cast<double>((a << 26) | b) * 0x1.0p-53;
  return lo + (hi - lo) * u;
}

int uniform_int(std::mt19937& engine, int n) { return std::min(n - 1, static_cast<int>(uniform(engine, 0, n))); }

}  // namespace blastscan
