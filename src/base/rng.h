// Seeded random numbers that are the same on every platform and compiler: std::mt19937 and
// std::mt19937_64 are fully specified by the standard, but std::*_distribution and std::shuffle
// are not (libstdc++, libc++ and MSVC draw differently), so every conversion of raw engine bits
// to floats, indices, normals and permutations is written here, once, and nowhere else.
//
// Two engines, on purpose:
//  - Rng (mt19937_64 seeded through splitmix64 from (seed, stream)): training (shuffles,
//    dropout, view choice), He initialisation, random test models.
//  - plain std::mt19937(seed) with the free functions below: the data side (the dataset split,
//    TFRecord shard order, training distortions, augmentation angles). Their draws define the
//    splits and cached distorted views that the README's measured figures and existing feature
//    caches were made with; moving them onto Rng's stream would silently change every seed's
//    split, so they keep their engine and share these functions instead.
#pragma once
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace blastscan {

class Rng {
 public:
  // Streams for different purposes (epoch, step...) come from mixing them into the seed.
  explicit Rng(uint64_t seed, uint64_t stream = 0);

  float uniform();                 // [0, 1), 24 bits
  size_t uniform_index(size_t n);  // [0, n), n > 0
  float normal();                  // mean 0, standard deviation 1 (Box-Muller)
  float normal(float stddev) { return stddev * normal(); }
  template <typename T>
  void shuffle(std::vector<T>& items) {  // Fisher-Yates
    for (size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[uniform_index(i)]);
  }

 private:
  std::mt19937_64 engine_;
};

// ---- the data side's draws on std::mt19937

// A uniform double in [lo, hi) from 53 raw bits (two draws).
double uniform(std::mt19937& engine, double lo, double hi);
// [0, n), n > 0, from uniform(): one value per 2^-53 step, no modulo bias.
int uniform_int(std::mt19937& engine, int n);
// Fisher-Yates with index engine() % i (the split's and the TFRecord shards' order).
template <typename T>
void shuffle(std::vector<T>& items, std::mt19937& engine) {
  for (size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[engine() % i]);
}

}  // namespace blastscan
