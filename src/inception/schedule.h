// The one-image schedule of a compiled network on several threads: which layers run together
// (stages) and, inside an Inception block, which thread runs which step in what order.
//
// A stage is a stem layer (split over all threads by oneDNN), a block's concat, or a block's
// branches. Inside a block every step runs on one thread; steps on different threads wait only
// for the steps whose outputs they read, so a thread that finished its share of one branch goes
// on with another instead of waiting at a barrier. A conv may be split by output channels into
// parts that run on different threads (each part writes its slice of the same output), which
// shortens a branch that is longer than the block's fair share: measured on the 2-core EPYC,
// full network, batch 1, 2 threads, one thread per branch group lost 3.4 of 34.5 ms to the
// longest branch of each block (Mixed_6a's 3x3 conv alone is 3.1 of its 4.3 ms).
#pragma once
#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "inception/inception_v3.h"

namespace blastscan {

// "Mixed_6b/Branch_1/Conv2d_0b_1x7" -> "Mixed_6b".
std::string endpoint_of(const std::string& layer);
// "Mixed_6b/Branch_1/Conv2d_0b_1x7" -> "Branch_1"; "" for stem layers and a block's concat.
std::string branch_of(const std::string& layer);

// The stage each layer runs in: a stem layer, a block's branches (together) and a block's concat
// each make one; "input" is written before stage 0.
std::map<std::string, int> stage_of_layers(const std::vector<Layer>& layers);

// One step of a block, as the planner sees it.
struct BlockTask {
  double cost = 0;            // estimated time on one thread (any unit, the same for all tasks)
  std::vector<size_t> after;  // the tasks whose outputs it reads (indices of earlier tasks)
  int max_parts = 1;          // into how many output-channel parts it may be split
};

// A task's part: part `part` of `parts` of task `task`.
struct TaskPart {
  size_t task = 0;
  int part = 0;
  bool operator==(const TaskPart&) const = default;
};

struct BlockPlan {
  std::vector<int> parts;                   // per task, how many parts it runs as (1 = whole)
  std::vector<std::vector<TaskPart>> lanes;  // per thread, what it runs, in order
  double makespan = 0;                      // the plan's estimated time, in the tasks' unit
};

// List scheduling: the ready part with the longest path to the block's end goes to the thread
// where it can start first. Then, while it pays, the task whose split into one more part
// shortens the plan most is split (a part costs its share plus 8%: each part reads the whole
// input and is a smaller matrix product). Deterministic: ties go to the lower index.
BlockPlan plan_block(const std::vector<BlockTask>& tasks, size_t lanes);

// The output channels of part `part` of `parts` of a conv with `blocks` channel blocks: the
// first block and the number of blocks (the first `blocks % parts` parts get one more).
std::pair<int, int> part_blocks(int blocks, int parts, int part);

}  // namespace blastscan
