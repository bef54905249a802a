// The block planner: every part runs once, after what it reads, and a branch longer than the
// block's fair share gets split so the threads finish together.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "inception/schedule.h"

namespace blastscan {
namespace {

// Replays the plan with its costs (a part waits for every part of the tasks it reads, wherever
// they run) and checks that each part of each task runs exactly once; returns the finish time.
double replay(const std::vector<BlockTask>& tasks, const BlockPlan& plan) {
  const auto cost = [&](const TaskPart& p) {
    return plan.parts[p.task] == 1 ? tasks[p.task].cost
                                   : tasks[p.task].cost * part_blocks(tasks[p.task].max_parts, plan.parts[p.task], p.part).second /
                                         tasks[p.task].max_parts * 1.08;
  };
  std::map<std::pair<size_t, int>, double> finish;
  std::vector<size_t> next(plan.lanes.size(), 0);
  std::vector<double> clock(plan.lanes.size(), 0);
  for (bool progress = true; progress;) {
    progress = false;
    for (size_t l = 0; l < plan.lanes.size(); ++l) {
      if (next[l] == plan.lanes[l].size()) continue;
      const TaskPart p = plan.lanes[l][next[l]];
      double ready = clock[l];
      bool runnable = true;
      for (size_t a : tasks[p.task].after)
        for (int k = 0; k < plan.parts[a]; ++k) {
          const auto it = finish.find({a, k});
          runnable = runnable && it != finish.end();
          if (it != finish.end()) ready = std::max(ready, it->second);
        }
      if (!runnable) continue;
      EXPECT_TRUE(finish.emplace(std::pair{p.task, p.part}, ready + cost(p)).second) << "task " << p.task << " part " << p.part << " twice";
      clock[l] = ready + cost(p);
      ++next[l];
      progress = true;
    }
  }
  for (size_t l = 0; l < plan.lanes.size(); ++l) EXPECT_EQ(next[l], plan.lanes[l].size()) << "lane " << l << " deadlocks";
  size_t parts = 0;
  for (size_t t = 0; t < tasks.size(); ++t) parts += size_t(plan.parts[t]);
  EXPECT_EQ(finish.size(), parts);
  return *std::max_element(clock.begin(), clock.end());
}

TEST(Schedule, PartBlocksCoverTheChannelsOnce) {
  for (int blocks : {1, 2, 5, 24})
    for (int parts = 1; parts <= blocks; ++parts) {
      int next = 0;
      for (int p = 0; p < parts; ++p) {
        const auto [first, count] = part_blocks(blocks, parts, p);
        EXPECT_EQ(first, next);
        EXPECT_GE(count, blocks / parts);
        next = first + count;
      }
      EXPECT_EQ(next, blocks);
    }
}

// Mixed_6a's shape: one heavy conv (3.1 of the block's 4.3 ms) beside a chain of three.
TEST(Schedule, SplitsAConvThatIsMoreThanItsShare) {
  const std::vector<BlockTask> tasks = {{3.15, {}, 24}, {0.21, {}, 4}, {0.63, {1}, 6}, {0.26, {2}, 6}, {0.03, {}, 1}};
  const BlockPlan plan = plan_block(tasks, 2);
  EXPECT_GT(plan.parts[0], 1);
  EXPECT_EQ(plan.parts[4], 1);  // a pool is never split
  const double total = 3.15 + 0.21 + 0.63 + 0.26 + 0.03;
  EXPECT_LT(plan.makespan, 0.56 * total);  // whole branches on 2 lanes cannot beat 3.15 / 4.28 = 0.74
  EXPECT_NEAR(replay(tasks, plan), plan.makespan, 1e-9);
}

// A fork inside a branch (Mixed_7b's 3x3 feeding a 1x3 and a 3x1) and a long chain: the parts
// wait across lanes, and the plan stays deadlock-free.
TEST(Schedule, ForksAndChainsReplayWithoutDeadlock) {
  const std::vector<BlockTask> tasks = {{0.27, {}, 20}, {0.32, {}, 24}, {0.43, {1}, 24}, {0.42, {1}, 24},
                                        {0.37, {}, 28}, {1.31, {4}, 24}, {0.43, {5}, 24}, {0.41, {5}, 24},
                                        {0.02, {}, 1},  {0.16, {8}, 12}};
  for (size_t lanes : {1, 2, 3}) {
    const BlockPlan plan = plan_block(tasks, lanes);
    EXPECT_NEAR(replay(tasks, plan), plan.makespan, 1e-9) << lanes << " lanes";
    if (lanes == 1) {
      EXPECT_EQ(plan.parts, std::vector<int>(tasks.size(), 1)) << "one lane: nothing to split for";
    }
  }
  EXPECT_LT(plan_block(tasks, 2).makespan, 0.53 * 4.14);
}

}  // namespace
}  // namespace blastscan
