#include "reports/compare.h"

#include <map>
#include <set>
#include <stdexcept>

#include "bench/metrics.h"
#include "bench/stats.h"
#include "reports/context_guard.h"

namespace shishu::reports {
namespace {

// Memory figures: one per point and run.
const std::vector<std::string> kMemoryMetrics = {"cuda_peak_allocated_bytes", "cuda_peak_reserved_bytes",
                                                 "cpu_peak_rss_bytes"};

bool compared_metric(const std::string& key) {
  return bench::metric(key).direction != bench::Direction::kNeutral;
}

std::string label(const LoadedReport& r) {
  return "`" + r.path + "` (" + r.context.value("git_commit", "?").substr(0, 12) + ")";
}

void add_flags(PointComparison& pc, const bench::PointResult& r, const std::string& side) {
  for (const auto& f : r.environment.flags) pc.environment_flags.push_back(side + ": " + f);
}

void set_status(PointComparison& pc, const bench::PointResult& b, const bench::PointResult& n) {
  using bench::Status;
  pc.base_status = bench::to_string(b.status);
  pc.current_status = bench::to_string(n.status);
  pc.status_regression |= b.status == Status::kOk && n.status != Status::kOk && n.status != Status::kSkipped;
  pc.status_improvement |= b.status != Status::kOk && n.status == Status::kOk;
}

// Corrects the whole family at once, then tallies points.
void finish(Comparison& c, const CompareOptions& o) {
  std::vector<Change> family;
  for (const auto& p : c.points) family.insert(family.end(), p.changes.begin(), p.changes.end());
  c.corrected_for = decide(family, o.change);
  size_t k = 0;
  for (auto& p : c.points) {
    for (auto& ch : p.changes) ch = family[k++];
    bool regression = p.status_regression, improvement = p.status_improvement, inconclusive = false;
    for (const auto& ch : p.changes) {
      regression |= ch.verdict == Verdict::kRegression;
      improvement |= ch.verdict == Verdict::kImprovement;
      inconclusive |= ch.verdict == Verdict::kInconclusive;
    }
    c.regressions += regression;
    c.improvements += improvement && !regression;
    c.inconclusive += inconclusive && !regression;
  }
}

void check_not_empty(const LoadedReport& r) {
  if (r.points.empty()) throw std::invalid_argument(r.path + ": holds no points; nothing to compare");
}

void check_common(const Comparison& c, const std::string& a, const std::string& b) {
  if (c.points.empty()) throw std::invalid_argument(a + " and " + b + " have no point in common; nothing to compare");
}

}  // namespace

Comparison compare_reports(const LoadedReport& base, const LoadedReport& current, const CompareOptions& o) {
  o.change.validate();
  require_one_kind({&base, &current}, "compare");
  check_not_empty(base);
  check_not_empty(current);
  Comparison c;
  c.context_mismatches = guard_context(base, current, o.allow_context_mismatch);
  for (const auto* r : {&base, &current}) {
    for (auto& w : context_warnings(*r)) c.warnings.push_back(w);
  }
  c.base_label = label(base);
  c.current_label = label(current);
  std::set<std::string> current_ids;
  for (const auto& r : current.points) current_ids.insert(r.point.id());
  for (const auto& b : base.points) {
    if (!current_ids.count(b.point.id())) c.removed.push_back(b.point.id());
  }
  for (const auto& n : current.points) {
    const bench::PointResult* b = base.find(n.point.id());
    if (!b) {
      c.added.push_back(n.point.id());
      continue;
    }
    PointComparison pc;
    pc.id = n.point.id();
    set_status(pc, *b, n);
    add_flags(pc, *b, "base");
    add_flags(pc, n, "new");
    for (const auto& [metric, ignored] : b->samples) {
      if (!n.samples.count(metric) || !compared_metric(metric)) continue;
      pc.changes.push_back(
          estimate_change(pc.id, metric, replicate_values(*b, metric), replicate_values(n, metric), false, o.change));
    }
    for (const auto& metric : kMemoryMetrics) {
      auto bi = b->values.find(metric), ni = n.values.find(metric);
      if (bi == b->values.end() || ni == n.values.end()) continue;
      pc.changes.push_back(threshold_change(pc.id, metric, bi->second, ni->second, o.change));
    }
    c.points.push_back(std::move(pc));
  }
  check_common(c, base.path, current.path);
  finish(c, o);
  return c;
}

Comparison compare_rounds(const RoundSet& base, const RoundSet& current, const CompareOptions& o) {
  o.change.validate();
  std::vector<const LoadedReport*> all;
  for (const auto* side : {&base, &current}) {
    for (const auto& r : side->reports) all.push_back(&r);
  }
  require_one_kind(all, "compare");
  check_pairable(base, current);
  Comparison c;
  c.paired = true;
  c.rounds = static_cast<int>(base.names.size());
  // Every round must share the first base round's context: a round from another machine
  // or build would not be a replicate of the same experiment.
  c.context_mismatches = guard_context(base.reports.front(), current.reports.front(), o.allow_context_mismatch);
  for (const auto* side : {&base, &current}) {
    for (const auto& r : side->reports) {
      guard_context(side->reports.front(), r, o.allow_context_mismatch);
      for (auto& w : context_warnings(r)) c.warnings.push_back(w);
    }
  }
  c.base_label = "`" + base.path + "` (" + std::to_string(c.rounds) + " rounds, " +
                 base.reports.front().context.value("git_commit", "?").substr(0, 12) + ")";
  c.current_label = "`" + current.path + "` (" + std::to_string(c.rounds) + " rounds, " +
                    current.reports.front().context.value("git_commit", "?").substr(0, 12) + ")";
  for (const auto& first : base.reports.front().points) {
    PointComparison pc;
    pc.id = first.point.id();
    std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> per_round;  // metric -> (base, new)
    std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> memory;     // likewise
    for (size_t r = 0; r < base.reports.size(); ++r) {
      const bench::PointResult* b = base.reports[r].find(pc.id);
      const bench::PointResult* n = current.reports[r].find(pc.id);
      if (!b || !n) continue;
      set_status(pc, *b, *n);
      add_flags(pc, *b, "base " + base.names[r]);
      add_flags(pc, *n, "new " + current.names[r]);
      if (b->status != bench::Status::kOk || n->status != bench::Status::kOk) continue;
      for (const auto& [metric, ignored] : b->samples) {
        if (!n->samples.count(metric) || !compared_metric(metric)) continue;
        // One value per side and round: the round's repetitions are not independent.
        per_round[metric].first.push_back(bench::summarize(replicate_values(*b, metric)).median);
        per_round[metric].second.push_back(bench::summarize(replicate_values(*n, metric)).median);
      }
      for (const auto& metric : kMemoryMetrics) {
        auto bi = b->values.find(metric), ni = n->values.find(metric);
        if (bi == b->values.end() || ni == n->values.end()) continue;
        memory[metric].first.push_back(bi->second);
        memory[metric].second.push_back(ni->second);
      }
    }
    for (const auto& [metric, values] : per_round) {
      pc.changes.push_back(estimate_change(pc.id, metric, values.first, values.second, true, o.change));
    }
    // Memory is nearly deterministic: its median over the rounds, by threshold, outside
    // the corrected family (whose size would otherwise grow by figures that cannot move).
    for (const auto& [metric, values] : memory) {
      Change ch = threshold_change(pc.id, metric, bench::summarize(values.first).median,
                                   bench::summarize(values.second).median, o.change);
      ch.note = "memory: median over the rounds, threshold only";
      pc.changes.push_back(ch);
    }
    c.points.push_back(std::move(pc));
  }
  check_common(c, base.path, current.path);
  finish(c, o);
  return c;
}

}  // namespace shishu::reports
