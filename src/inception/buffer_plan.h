// Which activation tensors of a compiled network can share memory. A tensor lives from the
// stage of the one-image schedule that writes it to the last stage that reads it; tensors
// whose lives do not overlap may use one buffer. A stage is one step or one block's branches
// running concurrently, so everything a block's branches touch lives in that whole stage and
// concurrent lanes never share memory. (Inception V3 keeps ~1/10 of its activations live at a
// time: the full network's fp32 activations go from ~55 MB to a few MB per image in flight.)
#pragma once
#include <cstddef>
#include <limits>
#include <vector>

namespace blastscan {

inline constexpr int kLivesToTheEnd = std::numeric_limits<int>::max();

struct BufferUse {
  size_t bytes = 0;
  int first = 0, last = 0;  // the stages that write it first and read it last (inclusive)
};

struct BufferPlan {
  std::vector<size_t> buffer_of;  // per use: the shared buffer it gets
  std::vector<size_t> bytes;      // per shared buffer: the largest use it holds
};

// Greedy in order of first use: a use takes the smallest free buffer that holds it, else the
// largest free one (grown), else a new one. Free: its last use ended in an earlier stage.
BufferPlan plan_buffers(const std::vector<BufferUse>& uses);

}  // namespace blastscan
