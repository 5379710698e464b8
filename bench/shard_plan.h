// Shards balanced by predicted time. A sweep like `paper` holds points a thousand times
// dearer than others (1.5B at 4096 tokens beside 125M at 64), so shards of equal counts
// end at very different times, and a job array's wall time is its unluckiest shard's.
// The plan: each model's points (one model build a shard) go whole to the least-loaded
// shard, dearest group first; a group that would overfill the shard it lands on is split
// into its points, which go dearest first to the least-loaded shard each. Ties go to the
// lower shard index, so the same sweep and costs give the same shards on every machine.
#pragma once
#include <vector>

#include "bench/point.h"

namespace shishu::bench {

enum class ShardRule { kTime, kCount };

struct ShardPlan {
  std::vector<int> shard_of;  // per point, in the sweep's order
  std::vector<double> load;   // per shard: the sum of its points' costs
  std::vector<size_t> points;  // per shard: how many
  double imbalance() const;    // the longest shard over the mean, 1 at best
};

// `costs`: per point, predicted seconds (bench/point_cost.h). kCount: round-robin, every
// count-th point, as before costs existed, for comparison.
ShardPlan plan_shards(const std::vector<Point>& points, const std::vector<double>& costs, int count, ShardRule rule);

// The points of shard `index`, in the sweep's order (each model's points stay together).
std::vector<Point> shard_points(const std::vector<Point>& points, const ShardPlan& plan, int index);

}  // namespace shishu::bench
