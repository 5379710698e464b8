#include "reports/compare.h"

#include <cmath>
#include <cstdio>
#include <set>

#include "bench/metrics.h"
#include "bench/stats.h"
#include "reports/mann_whitney.h"
#include "reports/text_table.h"

namespace shishu::reports {
namespace {

// Memory figures compared by threshold; each is one number per point.
const std::vector<std::string> kMemoryMetrics = {"cuda_peak_allocated_bytes", "cuda_peak_reserved_bytes",
                                                 "cpu_peak_rss_bytes"};

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string device_names(const nlohmann::json& context) {
  std::string s;
  for (const auto& d : context.value("devices", nlohmann::json::array())) s += d.value("name", "") + ";";
  return s;
}

void check_context(const LoadedReport& a, const LoadedReport& b, std::vector<std::string>& warnings) {
  auto differ = [&](const std::string& what, const std::string& x, const std::string& y) {
    if (x != y) warnings.push_back(what + " differs: '" + x + "' (base) vs '" + y + "' (new)");
  };
  auto str = [](const nlohmann::json& c, const char* k) { return c.contains(k) ? c[k].dump() : std::string("?"); };
  differ("device", device_names(a.context), device_names(b.context));
  differ("LibTorch", str(a.context, "libtorch_version"), str(b.context, "libtorch_version"));
  differ("dtypes", str(a.context, "dtypes"), str(b.context, "dtypes"));
  differ("build type", str(a.context, "build_type"), str(b.context, "build_type"));
  differ("compiler", str(a.context, "compiler"), str(b.context, "compiler"));
  for (const auto* r : {&a, &b}) {
    for (const auto& w : r->context.value("warnings", nlohmann::json::array())) {
      warnings.push_back(r->path + ": " + w.get<std::string>());
    }
  }
}

}  // namespace

Comparison compare_reports(const LoadedReport& base, const LoadedReport& current, const CompareOptions& o) {
  Comparison c;
  check_context(base, current, c.context_warnings);
  auto threshold = [&](const std::string& m) {
    auto it = o.metric_threshold_pct.find(m);
    return it == o.metric_threshold_pct.end() ? o.threshold_pct : it->second;
  };
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
    pc.base_status = bench::to_string(b->status);
    pc.current_status = bench::to_string(n.status);
    if (b->status == bench::Status::kOk && n.status != bench::Status::kOk && n.status != bench::Status::kSkipped) {
      pc.regression = true;  // it used to run; now it fails
    }
    if (b->status != bench::Status::kOk && n.status == bench::Status::kOk) pc.improvement = true;
    for (const auto& [metric, base_samples] : b->samples) {
      auto it = n.samples.find(metric);
      if (it == n.samples.end()) continue;
      const bench::Metric& def = bench::metric(metric);
      if (def.direction == bench::Direction::kNeutral) continue;
      MetricChange m;
      m.metric = metric;
      m.base = bench::summarize(base_samples).median;
      m.current = bench::summarize(it->second).median;
      m.change_pct = m.base != 0 ? (m.current - m.base) / m.base * 100 : 0;
      const MannWhitney test = mann_whitney(base_samples, it->second);
      m.p_value = test.p_two_sided;
      m.tested = test.min_attainable_p < o.alpha;
      const bool beyond = std::fabs(m.change_pct) > threshold(metric);
      const bool significant = m.tested ? m.p_value < o.alpha : true;
      if (!m.tested) {
        m.note = "too few repetitions (" + std::to_string(base_samples.size()) + " vs " +
                 std::to_string(it->second.size()) + ") for the U test: threshold only";
      } else if (beyond && !significant) {
        m.note = "beyond the threshold but not significant";
      }
      const bool higher_is_worse = def.direction == bench::Direction::kLowerIsBetter;
      if (beyond && significant) m.verdict = (m.change_pct > 0) == higher_is_worse ? Verdict::kWorse : Verdict::kBetter;
      const bool time_like = def.unit == "ms";
      m.word = m.verdict == Verdict::kSame ? "same"
               : (m.verdict == Verdict::kWorse) ? (time_like || def.unit == "tok/s" ? "slower" : "worse")
                                                : (time_like || def.unit == "tok/s" ? "faster" : "better");
      pc.regression |= m.verdict == Verdict::kWorse;
      pc.improvement |= m.verdict == Verdict::kBetter;
      pc.changes.push_back(m);
    }
    for (const auto& metric : kMemoryMetrics) {
      auto bi = b->values.find(metric);
      auto ni = n.values.find(metric);
      if (bi == b->values.end() || ni == n.values.end()) continue;
      MetricChange m;
      m.metric = metric;
      m.base = bi->second;
      m.current = ni->second;
      m.change_pct = m.base != 0 ? (m.current - m.base) / m.base * 100 : 0;
      m.note = "memory: threshold only";
      if (std::fabs(m.change_pct) > threshold(metric)) m.verdict = m.change_pct > 0 ? Verdict::kWorse : Verdict::kBetter;
      m.word = m.verdict == Verdict::kSame ? "same" : m.verdict == Verdict::kWorse ? "larger" : "smaller";
      pc.regression |= m.verdict == Verdict::kWorse;
      pc.improvement |= m.verdict == Verdict::kBetter;
      pc.changes.push_back(m);
    }
    c.regressions += pc.regression;
    c.improvements += pc.improvement && !pc.regression;
    c.points.push_back(std::move(pc));
  }
  return c;
}

std::string comparison_markdown(const Comparison& c, const LoadedReport& base, const LoadedReport& current,
                                bool all_points) {
  std::string out = "## shishu-bench comparison\n\n";
  out += "Base `" + base.path + "` (" + base.context.value("git_commit", "?").substr(0, 12) + "), new `" + current.path +
         "` (" + current.context.value("git_commit", "?").substr(0, 12) + ").\n\n";
  out += c.regressions ? "**" + std::to_string(c.regressions) + " regression(s)**" : std::string("**No regression**");
  out += " in " + std::to_string(c.points.size()) + " matched points; " + std::to_string(c.improvements) +
         " improved; " + std::to_string(c.added.size()) + " added, " + std::to_string(c.removed.size()) + " removed.\n\n";
  if (!c.context_warnings.empty()) {
    out += "Context warnings:\n";
    for (const auto& w : c.context_warnings) out += "- " + w + "\n";
    out += "\n";
  }
  TextTable t;
  t.headers = {"point", "metric", "base", "new", "change", "p (U test)", "verdict", "note"};
  t.align = {Align::kLeft, Align::kLeft, Align::kRight, Align::kRight, Align::kRight, Align::kRight, Align::kLeft, Align::kLeft};
  for (const auto& p : c.points) {
    if (p.base_status != p.current_status) {
      t.add_row({p.id, "status", p.base_status, p.current_status, "", "", p.regression ? "REGRESSION" : "improved", ""});
    }
    for (const auto& m : p.changes) {
      if (!all_points && m.verdict == Verdict::kSame) continue;
      const std::string unit(bench::metric(m.metric).unit);
      t.add_row({p.id, m.metric, fmt("%.4g", m.base), fmt("%.4g", m.current), fmt("%+.1f %%", m.change_pct),
                 m.tested ? fmt("%.3g", m.p_value) : "n/a", m.verdict == Verdict::kWorse ? m.word + " (REGRESSION)" : m.word,
                 m.note});
    }
  }
  out += t.rows.empty() ? "No metric changed beyond its threshold.\n" : t.markdown();
  for (const auto& [title, ids] : {std::pair{"Added", &c.added}, std::pair{"Removed", &c.removed}}) {
    if (ids->empty()) continue;
    out += std::string("\n") + title + " points:\n";
    for (const auto& id : *ids) out += "- `" + id + "`\n";
  }
  return out;
}

}  // namespace shishu::reports
