// `shishu-bench run --list`: the plan of a sweep, without running it. It works on any
// machine, GPU or not, so a sweep for a GPU node can be listed and sharded
// (`--list --shard i/N`) on a login node or a laptop.
#pragma once
#include <ostream>
#include <vector>

#include "bench/point.h"

namespace shishu::cli {

// One point id per line on `out`, in run order. A point that will not run here gets a
// tab and a marker after its id: "# skip: <reason>" (never runs, e.g. CUDA graphs on the
// CPU) or "# not here: <reason>" (needs a device this machine lacks). Scripts take the
// first tab-separated field. A count of each kind goes to `err`.
void print_point_list(const std::vector<bench::Point>& points, std::ostream& out, std::ostream& err);

}  // namespace shishu::cli
