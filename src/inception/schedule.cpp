#include "inception/schedule.h"

#include <algorithm>
#include <optional>

namespace blastscan {

namespace {

constexpr double kPartOverhead = 1.08;  // see plan_block()
constexpr double kWorthwhile = 0.99;    // a split must shorten the plan by at least 1%

double part_cost(const BlockTask& task, int parts, int part) {
  if (parts == 1) return task.cost;
  return task.cost * part_blocks(task.max_parts, parts, part).second / task.max_parts * kPartOverhead;
}

BlockPlan list_schedule(const std::vector<BlockTask>& tasks, const std::vector<int>& parts, size_t lanes) {
  std::vector<TaskPart> subs;
  std::vector<size_t> first(tasks.size() + 1);
  for (size_t t = 0; t < tasks.size(); ++t) {
    first[t] = subs.size();
    for (int p = 0; p < parts[t]; ++p) subs.push_back({t, p});
  }
  first[tasks.size()] = subs.size();
  std::vector<double> cost(subs.size());
  for (size_t s = 0; s < subs.size(); ++s) cost[s] = part_cost(tasks[subs[s].task], parts[subs[s].task], subs[s].part);

  // Bottom level: a part's cost plus the longest path after it (`after` names earlier tasks only).
  std::vector<std::vector<size_t>> successors(tasks.size());
  for (size_t t = 0; t < tasks.size(); ++t)
    for (size_t a : tasks[t].after) successors[a].push_back(t);
  std::vector<double> bottom(subs.size());
  for (size_t t = tasks.size(); t-- > 0;) {
    double tail = 0;
    for (size_t s : successors[t])
      for (size_t k = first[s]; k < first[s + 1]; ++k) tail = std::max(tail, bottom[k]);
    for (size_t k = first[t]; k < first[t + 1]; ++k) bottom[k] = cost[k] + tail;
  }

  BlockPlan plan;
  plan.parts = parts;
  plan.lanes.resize(std::max<size_t>(lanes, 1));
  std::vector<double> finish(subs.size(), -1), lane_free(plan.lanes.size(), 0);
  for (size_t scheduled = 0; scheduled < subs.size(); ++scheduled) {
    std::optional<size_t> pick;
    double ready_at = 0;
    for (size_t s = 0; s < subs.size(); ++s) {
      if (finish[s] >= 0) continue;
      double ready = 0;
      bool ready_now = true;
      for (size_t a : tasks[subs[s].task].after)
        for (size_t k = first[a]; k < first[a + 1]; ++k) {
          ready_now = ready_now && finish[k] >= 0;
          ready = std::max(ready, finish[k]);
        }
      if (ready_now && (!pick || bottom[s] > bottom[*pick])) pick = s, ready_at = ready;
    }
    size_t lane = 0;
    for (size_t l = 1; l < lane_free.size(); ++l)
      if (std::max(lane_free[l], ready_at) < std::max(lane_free[lane], ready_at)) lane = l;
    finish[*pick] = std::max(lane_free[lane], ready_at) + cost[*pick];
    lane_free[lane] = finish[*pick];
    plan.lanes[lane].push_back(subs[*pick]);
  }
  plan.makespan = *std::max_element(lane_free.begin(), lane_free.end());
  return plan;
}

}  // namespace

std::string endpoint_of(const std::string& layer) { return layer.substr(0, layer.find('/')); }

std::string branch_of(const std::string& layer) {
  const auto first = layer.find('/');
  if (first == std::string::npos) return "";
  const auto second = layer.find('/', first + 1);
  const std::string part = layer.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1);
  return part.rfind("Branch_", 0) == 0 ? part : "";
}

std::map<std::string, int> stage_of_layers(const std::vector<Layer>& layers) {
  std::map<std::string, int> stage{{"input", -1}};
  std::string previous;
  int t = -1;
  for (const Layer& layer : layers) {
    const std::string key = branch_of(layer.name).empty() ? layer.name : endpoint_of(layer.name) + "/branches";
    if (key != previous) ++t;
    previous = key;
    stage[layer.name] = t;
  }
  return stage;
}

BlockPlan plan_block(const std::vector<BlockTask>& tasks, size_t lanes) {
  std::vector<int> parts(tasks.size(), 1);
  BlockPlan best = list_schedule(tasks, parts, lanes);
  const int most_parts = int(2 * lanes);
  while (lanes > 1) {
    std::optional<BlockPlan> better;
    for (size_t t = 0; t < tasks.size(); ++t) {
      if (best.parts[t] >= std::min(tasks[t].max_parts, most_parts)) continue;
      std::vector<int> trial = best.parts;
      ++trial[t];
      BlockPlan plan = list_schedule(tasks, trial, lanes);
      if (plan.makespan < (better ? better->makespan : best.makespan * kWorthwhile)) better = std::move(plan);
    }
    if (!better) break;
    best = std::move(*better);
  }
  return best;
}

std::pair<int, int> part_blocks(int blocks, int parts, int part) {
  const int base = blocks / parts, extra = blocks % parts;
  return {part * base + std::min(part, extra), base + (part < extra ? 1 : 0)};
}

}  // namespace blastscan
