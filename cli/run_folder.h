// The run folder of `shishu-bench run`: what it was started with (run.json), and the
// rules for starting a fresh one or resuming an interrupted one from its journal.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/result.h"
#include "bench/sweep.h"

namespace shishu::cli {

std::string utc_now(const char* format = "%Y-%m-%dT%H:%M:%SZ");

// How the points were sampled, for run.json and the report's context: {"rule": "fixed",
// "repetitions": N}, or {"rule": "noise", "max_noise_pct": ..., ...} (bench/sampling.h).
nlohmann::json sampling_json(const bench::SweepSettings& settings);
// "warm", or "cold: ..." under --l2-flush: cold and warm figures are never compared.
std::string cache_label(const bench::SweepSettings& settings);

// What a run folder was started with. --resume refuses to continue it with another
// sweep, other settings or another build: the finished points would not be comparable.
nlohmann::json run_identity(const bench::Sweep& sweep, const std::vector<bench::Point>& points, double slowdown_pct,
                            const std::string& weights_file);

// The run folder (`out_dir`, `resume_dir`, or a fresh timestamped one) and, when resuming,
// the points already finished in it. A fresh run refuses a folder that holds a run;
// --resume refuses one started with another sweep or build. Throws std::invalid_argument.
std::string open_run_folder(const std::string& out_dir, const std::string& resume_dir, const bench::Sweep& sweep,
                            const nlohmann::json& identity, std::vector<bench::PointResult>* finished);

}  // namespace shishu::cli
