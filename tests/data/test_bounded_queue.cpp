// The decode/compute hand-off: items arrive in order, memory stays bounded, and a failure on
// either side ends both threads and reaches the caller.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <vector>

#include "data/bounded_queue.h"

namespace blastscan {
namespace {

TEST(ProduceAndConsume, DeliversEveryItemInOrderWithAtMostCapacityQueued) {
  std::atomic<int> pushed = 0;
  std::vector<int> seen;
  int most_ahead = 0;
  produce_and_consume<int>(
      3,
      [&](const auto& push) {
        for (int i = 0; i < 100; ++i) {
          ++pushed;
          ASSERT_TRUE(push(i));
        }
      },
      [&](int& item) {
        seen.push_back(item);
        // Pushed but not yet consumed: the queue's items plus the one in the producer's hands.
        most_ahead = std::max(most_ahead, pushed.load() - int(seen.size()));
      });
  ASSERT_EQ(seen.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(seen[size_t(i)], i);
  EXPECT_LE(most_ahead, 3 + 1);
}

TEST(ProduceAndConsume, AProducerFailureReachesTheCallerAfterWhatWasPushed) {
  std::vector<int> seen;
  EXPECT_THROW(produce_and_consume<int>(
                   2,
                   [](const auto& push) {
                     push(1);
                     push(2);
                     throw std::runtime_error("decoder failed");
                   },
                   [&](int& item) { seen.push_back(item); }),
               std::runtime_error);
  EXPECT_EQ(seen, (std::vector<int>{1, 2}));
}

TEST(ProduceAndConsume, AConsumerFailureStopsTheProducerAndReachesTheCaller) {
  std::atomic<bool> refused = false;
  EXPECT_THROW(produce_and_consume<int>(
                   2,
                   [&](const auto& push) {
                     for (int i = 0;; ++i)  // would never end if push did not refuse
                       if (!push(i)) {
                         refused = true;
                         return;
                       }
                   },
                   [](int& item) {
                     if (item == 5) throw std::runtime_error("compute failed");
                   }),
               std::runtime_error);
  EXPECT_TRUE(refused);
}

}  // namespace
}  // namespace blastscan
