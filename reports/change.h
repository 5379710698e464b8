// One metric's change between a base and a new measurement, with how sure we are.
//
// The unit of replication is what varies independently: a *round* (one process per
// side, interleaved with the other side's) for paired A/B runs, a *repetition* for two
// plain reports. Repetitions inside one process share that process's state (memory
// layout, thread placement, the machine's drift at the time), so the unpaired estimate
// is the weaker one; reports/PERFORMANCE.md measures both.
//
// Changes are estimated on the log scale (ratios), reported as percentages:
//  - paired:   Hodges-Lehmann median of the per-round log ratios, Wilcoxon signed-rank
//              interval;
//  - unpaired: Hodges-Lehmann shift of the log values, Mann-Whitney (Moses) interval.
// Verdicts, with T the metric's threshold and "bad" the direction that makes it worse:
//  - regression:   the whole interval lies beyond T in the bad direction;
//  - improvement:  the whole interval lies beyond T in the good direction;
//  - unchanged:    the whole interval lies within [-T, +T];
//  - inconclusive: the interval straddles a threshold (or the sample is too small to
//                  give an interval at the requested confidence).
// The many comparisons of one report pair are corrected together with
// Benjamini-Hochberg (reports/multiple_testing.h); only a comparison it selects can be a
// regression or an improvement, and its interval is shown at the adjusted level.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "bench/result.h"

namespace shishu::reports {

enum class Verdict { kUnchanged, kImprovement, kRegression, kInconclusive };
std::string to_string(Verdict v);  // "unchanged", "improvement", "regression", "inconclusive"

struct ChangeOptions {
  double threshold_pct = 5.0;                          // every metric, unless overridden
  std::map<std::string, double> metric_threshold_pct;  // per metric
  double confidence = 0.95;                            // two-sided, before the correction

  double threshold_for(const std::string& metric) const;
  // Throws std::invalid_argument naming the value unless 0 < threshold < 100 and
  // 0.5 <= confidence < 1.
  void validate() const;
};

struct Change {
  std::string point_id, metric;
  bool paired = false;
  int n_base = 0, n_new = 0;        // replicates: rounds (paired) or repetitions
  double base = 0, current = 0;     // medians of the replicate values
  double estimate_pct = 0;          // Hodges-Lehmann estimate of the relative change
  double lower_pct = 0, upper_pct = 0;  // its interval; +-inf when out of reach
  double confidence = 0;            // level of the interval shown
  double threshold_pct = 0;
  double p_beyond = 1;              // two-sided p that the change is beyond the threshold
  bool estimable = false;           // false: only the medians could be compared
  std::vector<double> base_values, current_values;  // the replicates it was estimated from
  Verdict verdict = Verdict::kInconclusive;
  std::string note;
};

// One value per replicate for a sampled metric: the repetitions' samples, except
// decode_step_ms, whose samples pool every step of every repetition; each repetition's
// steps are reduced to their median first, since steps of one pass are not independent.
std::vector<double> replicate_values(const bench::PointResult& r, const std::string& metric);

// The change of one metric from its replicate values. For paired, base and current are
// aligned by round. Sets everything but the verdict (see decide()).
Change estimate_change(const std::string& point_id, const std::string& metric, const std::vector<double>& base,
                       const std::vector<double>& current, bool paired, const ChangeOptions& options);

// A scalar figure (memory) seen once per report: compared with the threshold alone.
Change threshold_change(const std::string& point_id, const std::string& metric, double base, double current,
                        const ChangeOptions& options);

// Sets the verdicts of a family of changes together (Benjamini-Hochberg over the
// estimable ones; threshold-only changes decide alone). Returns how many were corrected
// for (m).
int decide(std::vector<Change>& family, const ChangeOptions& options);

}  // namespace shishu::reports
