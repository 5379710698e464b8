#include "bench/shard_plan.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <stdexcept>
#include <string>

namespace shishu::bench {
namespace {

// A group that would push its shard past the mean load by more than this share is split.
constexpr double kGroupSlack = 0.05;

size_t least_loaded(const std::vector<double>& load) {
  return static_cast<size_t>(std::min_element(load.begin(), load.end()) - load.begin());  // first of equals
}

}  // namespace

double ShardPlan::imbalance() const {
  const double total = std::accumulate(load.begin(), load.end(), 0.0);
  if (load.empty() || total <= 0) return 1;
  return *std::max_element(load.begin(), load.end()) / (total / double(load.size()));
}

ShardPlan plan_shards(const std::vector<Point>& points, const std::vector<double>& costs, int count, ShardRule rule) {
  if (count < 1) throw std::invalid_argument("a sweep needs at least one shard, not " + std::to_string(count));
  if (costs.size() != points.size()) throw std::logic_error("plan_shards: one cost a point");
  ShardPlan plan{std::vector<int>(points.size(), 0), std::vector<double>(count, 0), std::vector<size_t>(count, 0)};
  auto place = [&](size_t point, size_t shard) {
    plan.shard_of[point] = static_cast<int>(shard);
    plan.load[shard] += costs[point];
    ++plan.points[shard];
  };
  if (rule == ShardRule::kCount) {
    for (size_t i = 0; i < points.size(); ++i) place(i, i % size_t(count));
    return plan;
  }
  // The groups of one model build, in order of first appearance.
  std::map<std::string, size_t> group_of;
  std::vector<std::vector<size_t>> groups;
  std::vector<double> group_cost;
  for (size_t i = 0; i < points.size(); ++i) {
    const std::string key = points[i].model + "|" + points[i].dtype.name + "|" + points[i].device.str();
    const auto [it, fresh] = group_of.emplace(key, groups.size());
    if (fresh) {
      groups.emplace_back();
      group_cost.push_back(0);
    }
    groups[it->second].push_back(i);
    group_cost[it->second] += costs[i];
  }
  std::vector<size_t> order(groups.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return group_cost[a] > group_cost[b]; });
  const double mean = std::accumulate(costs.begin(), costs.end(), 0.0) / count;
  std::vector<size_t> loose;  // points of the groups split apart
  for (size_t g : order) {
    const size_t shard = least_loaded(plan.load);
    if (plan.load[shard] + group_cost[g] <= mean * (1 + kGroupSlack) || count == 1) {
      for (size_t i : groups[g]) place(i, shard);
    } else {
      loose.insert(loose.end(), groups[g].begin(), groups[g].end());
    }
  }
  std::stable_sort(loose.begin(), loose.end(), [&](size_t a, size_t b) { return costs[a] > costs[b]; });
  for (size_t i : loose) place(i, least_loaded(plan.load));
  return plan;
}

std::vector<Point> shard_points(const std::vector<Point>& points, const ShardPlan& plan, int index) {
  if (index < 0 || index >= int(plan.load.size())) {
    throw std::invalid_argument("shard " + std::to_string(index) + "/" + std::to_string(plan.load.size()) +
                                " is invalid: use i/N with 0 <= i < N");
  }
  std::vector<Point> mine;
  for (size_t i = 0; i < points.size(); ++i) {
    if (plan.shard_of[i] == index) mine.push_back(points[i]);
  }
  return mine;
}

}  // namespace shishu::bench
