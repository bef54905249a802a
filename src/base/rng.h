// A seeded random source whose numbers are the same on every platform and compiler:
// std::mt19937_64 is fully specified by the standard, but std::*_distribution are not, so the
// conversions to floats, indices and normals are written here.
#pragma once
#include <cstdint>
#include <random>
#include <vector>

namespace blastscan {

class Rng {
 public:
  // Streams for different purposes (epoch, step...) come from mixing them into the seed.
  explicit Rng(uint64_t seed, uint64_t stream = 0);

  float uniform();                 // [0, 1)
  size_t uniform_index(size_t n);  // [0, n), n > 0
  float normal();                  // mean 0, standard deviation 1 (Box-Muller)
  void shuffle(std::vector<int>& items);  // Fisher-Yates

 private:
  std::mt19937_64 engine_;
};

}  // namespace blastscan
