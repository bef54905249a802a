#include "inception/buffer_plan.h"

#include <algorithm>
#include <numeric>

namespace blastscan {

BufferPlan plan_buffers(const std::vector<BufferUse>& uses) {
  std::vector<size_t> order(uses.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return uses[a].first < uses[b].first; });
  BufferPlan plan;
  plan.buffer_of.resize(uses.size());
  std::vector<int> busy_until;  // per buffer: the last stage of its latest use
  for (size_t u : order) {
    const BufferUse& use = uses[u];
    size_t best = plan.bytes.size();
    for (size_t b = 0; b < plan.bytes.size(); ++b) {
      if (busy_until[b] >= use.first) continue;
      if (best == plan.bytes.size()) {
        best = b;
        continue;
      }
      const bool fits = plan.bytes[b] >= use.bytes, best_fits = plan.bytes[best] >= use.bytes;
      if (fits != best_fits ? fits : fits ? plan.bytes[b] < plan.bytes[best] : plan.bytes[b] > plan.bytes[best]) best = b;
    }
    if (best == plan.bytes.size()) {
      plan.bytes.push_back(0);
      busy_until.push_back(0);
    }
    plan.bytes[best] = std::max(plan.bytes[best], use.bytes);
    busy_until[best] = use.last;
    plan.buffer_of[u] = best;
  }
  return plan;
}

}  // namespace blastscan
