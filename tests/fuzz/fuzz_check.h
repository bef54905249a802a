// What every fuzz harness shares: the bytes as a span, and the one way a harness reports a
// finding besides a sanitizer report or an escaped exception: a broken invariant aborts, so
// libFuzzer saves the input and the replay test fails on it.
#pragma once
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string_view>

namespace blastscan::fuzz {

inline void check(bool ok, const char* invariant) {
  if (ok) return;
  std::fprintf(stderr, "fuzz: invariant broken: %s\n", invariant);
  std::abort();
}

inline std::string_view as_text(std::span<const uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace blastscan::fuzz
