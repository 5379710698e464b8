// The bridge from measured reports to the layout planner (planner/): each point's
// figures become observations of the quantities it measures, with the provenance a
// cost model carries. Several reports of one sweep, measured in interleaved rounds,
// pool into one observation per point and quantity.
//
// One row per (phase, quantity), quantity_mappings(); B batch, T new tokens a
// sequence, D positions already cached, G the point's gen:
//   forward, forward_backward, train_step: latency_ms as *_ms at (B, T = seq, D = 0)
//   generate: ttft_ms at (B, T = prefill, D = 0), prefilled in one piece only (a chunked
//             prefill is another computation); throughput_tok_s at (B, 1, prefill +
//             (G - 2) / 2), the mean depth of its G - 1 decode steps
//   decode:   decode_step_ms as decode_ms at (B, 1, depth + (G - 1) / 2), the mean depth
//             of its G steps (step i runs with depth + i positions cached; the median of
//             the pooled steps is the middle one's, and the cost is linear in depth)
//   every phase: the peak of live tensors (cpu_peak_allocated_bytes on the CPU,
//             cuda_peak_allocated_bytes on CUDA) as peak_mb, against predicted_total_bytes,
//             at the phase's largest call: (B, seq, 0), (B, prefill, 0), (B, 1, depth + G - 1)
// Halves are rounded down (half a position, beside depths of 32 and more).
//
// Each round's figure is the point's median; rounds pool to the median of those
// medians, and noise_rel is half the rounds' range over it, (max - min) / 2 / median:
// a prediction inside the spread the rounds showed is a hit. A single round has only
// its repetitions: half their range over their median, from the metric a repetition
// records once (latency_ms for a decode point, whose decode_step_ms pools steps at
// different depths), or 0 (unknown) with one repetition or a scalar figure.
#pragma once
#include <string>
#include <vector>

#include "bench/point.h"
#include "planner/baselines.h"
#include "planner/cost_model.h"
#include "reports/loaded_report.h"

namespace shishu::reports {

struct QuantityMapping {
  const char* phase;
  planner::Quantity quantity;
  const char* metric;        // the measured figure; "" for peak_mb (peak_metric: by device)
  const char* noise_metric;  // one sample a repetition: a single round's noise
  planner::Workload (*workload)(const bench::Point& p);  // analytic_mb is set by the caller
  bool (*applies)(const bench::Point& p);                // nullptr: every point of the phase
};
const std::vector<QuantityMapping>& quantity_mappings();
// The rows that apply to this point, in table order; empty for a phase the planner does
// not model.
std::vector<const QuantityMapping*> mappings_for(const bench::Point& p);
// The metric of a point's measured peak, by its device's kind.
const char* peak_metric(const bench::Point& p);
// The matching measured metric of a mapping row for this point.
std::string measured_metric(const QuantityMapping& m, const bench::Point& p);

// Where a report was measured: the points' one device and dtype (a report with more is
// refused, naming them), the device's name, the build (git_commit, "+dirty" for a
// dirty tree) and the storage's bytes per element; the rest of the context (LibTorch,
// cores, host, preset, the decode backend) rides along in `context`.
planner::Provenance provenance_of(const LoadedReport& report);

// The measured matmul and copy ceilings of the report's device for the points' compute
// type, when the run measured them (run --ceilings); zeros otherwise.
planner::Ceilings measured_ceilings(const LoadedReport& report);

// Where an observation came from.
struct ObservationSource {
  std::string point_id, phase;
  int64_t batch = 0, length = 0;  // length: seq, prefill or depth, the phase's own
  int rounds = 0;                 // rounds whose figure went into it
};

struct ObservationSet {
  planner::Provenance provenance;
  planner::Ceilings ceilings;
  std::vector<planner::Observation> observations;
  std::vector<ObservationSource> sources;  // one per observation
  int rounds = 0;
  std::vector<std::string> notes;  // what was left out, and why
};

// The observations of one sweep's reports (one, or its rounds). Throws
// std::invalid_argument for a predicted report, reports of different provenance
// (naming the field and both files), more than one decode backend, or no observation.
ObservationSet observations_from(const std::vector<LoadedReport>& rounds);

// Two model names are one layout when their widths and layouts agree ("125m:30" and
// "mobilellm-125m").
bool same_layout(const models::ModelConfig& a, const models::ModelConfig& b);

// Keeps the observations of the `keep` models (all when empty) less the `exclude` ones.
// Throws std::invalid_argument for a name no observation has, listing those it has.
ObservationSet select_models(const ObservationSet& set, const std::vector<std::string>& keep,
                             const std::vector<std::string>& exclude, const std::string& flag);

// The largest batch x length corner of each phase: its points at the phase's largest
// batch and largest length together, where the phase has other points too. Moved from
// `set` into the result (the protocol scores it apart, as extrapolation).
ObservationSet take_corner(ObservationSet& set);

// The distinct models of a set, in order of first appearance.
std::vector<models::ModelConfig> models_of(const ObservationSet& set);

}  // namespace shishu::reports
