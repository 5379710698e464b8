#include "reports/history.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "base/utf8.h"
#include "bench/metrics.h"
#include "bench/stats.h"
#include "reports/text_table.h"

namespace fs = std::filesystem;

namespace shishu::reports {
namespace {

std::string sort_key(const LoadedReport& r) {
  return r.context.value("started_at", "") + " " + r.context.value("git_commit", "");
}

// A trend in eight levels, low to high, for a table cell.
std::string sparkline(const std::vector<double>& v) {
  static const char* kBars[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (double x : v) {
    if (std::isfinite(x)) lo = std::min(lo, x), hi = std::max(hi, x);
  }
  std::string s;
  for (double x : v) {
    if (!std::isfinite(x)) { s += "·"; continue; }
    s += kBars[hi > lo ? std::min(7, static_cast<int>((x - lo) / (hi - lo) * 8)) : 3];
  }
  return s;
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

}  // namespace

std::vector<LoadedReport> load_history_inputs(const std::vector<std::string>& inputs) {
  std::vector<LoadedReport> out;
  for (const auto& in : inputs) {
    if (!fs::is_directory(in)) {
      out.push_back(load_report(in));
      continue;
    }
    std::vector<std::string> found;
    for (const auto& e : fs::recursive_directory_iterator(in)) {
      if (e.is_regular_file() && e.path().filename() == "report.json") found.push_back(e.path().string());
    }
    if (found.empty()) throw std::invalid_argument(in + ": holds no report.json");
    std::sort(found.begin(), found.end());
    for (const auto& f : found) out.push_back(load_report(f));
  }
  return out;
}

History build_history(std::vector<LoadedReport> reports, const HistoryOptions& o) {
  o.change.validate();
  if (o.window < 1) throw std::invalid_argument("--window " + std::to_string(o.window) + " must be at least 1");
  if (reports.size() < 2) throw std::invalid_argument("a history needs at least two reports");
  std::vector<const LoadedReport*> all;
  for (const auto& r : reports) all.push_back(&r);
  require_one_kind(all, "history");
  std::stable_sort(reports.begin(), reports.end(),
                   [](const LoadedReport& a, const LoadedReport& b) { return sort_key(a) < sort_key(b); });
  const auto preset = reports.front().context.value("preset", nlohmann::json());
  History h;
  std::map<std::pair<std::string, std::string>, size_t> index;  // (point, metric) -> trend
  for (size_t i = 0; i < reports.size(); ++i) {
    const auto& r = reports[i];
    if (r.context.value("preset", nlohmann::json()) != preset) {
      throw std::invalid_argument(r.path + " ran preset " + r.context.value("preset", nlohmann::json()).dump() + ", not " +
                                  preset.dump() + ": a history follows one sweep");
    }
    h.labels.push_back(r.context.value("started_at", "?") + " " + r.context.value("git_commit", "?").substr(0, 12) + " " +
                       r.path);
    for (const auto& p : r.points) {
      if (p.status != bench::Status::kOk) continue;
      for (const auto& [metric, samples] : p.samples) {
        if (bench::metric(metric).direction == bench::Direction::kNeutral || samples.empty()) continue;
        auto [it, fresh] = index.try_emplace({p.point.id(), metric}, h.trends.size());
        if (fresh) h.trends.push_back({p.point.id(), metric, std::vector<double>(reports.size(), NAN), {}, {}});
        h.trends[it->second].values[i] = bench::summarize(replicate_values(p, metric)).median;
      }
    }
  }
  // Every candidate change point of a trend, corrected as one family per trend.
  std::vector<Change> family;
  std::vector<std::pair<size_t, int>> where;  // (trend, report index)
  for (size_t t = 0; t < h.trends.size(); ++t) {
    const auto& v = h.trends[t].values;
    std::vector<Change> candidates;
    for (int i = 1; i < static_cast<int>(v.size()); ++i) {
      std::vector<double> before, after;
      for (int k = std::max(0, i - o.window); k < i; ++k) if (std::isfinite(v[k])) before.push_back(v[k]);
      for (int k = i; k < std::min<int>(v.size(), i + o.window); ++k) if (std::isfinite(v[k])) after.push_back(v[k]);
      if (before.empty() || after.empty()) continue;
      candidates.push_back(estimate_change("report #" + std::to_string(i), h.trends[t].metric, before, after, false, o.change));
      where.push_back({t, i});
    }
    h.candidates = std::max(h.candidates, decide(candidates, o.change));
    family.insert(family.end(), candidates.begin(), candidates.end());
  }
  std::map<size_t, int> run_end;  // trend -> last candidate index of its current run
  for (size_t k = 0; k < family.size(); ++k) {
    const Verdict v = family[k].verdict;
    if (v != Verdict::kRegression && v != Verdict::kImprovement) continue;
    const auto [t, i] = where[k];
    Trend& trend = h.trends[t];
    // A step shows in every window that straddles it: of a run of adjacent candidates
    // with the same verdict, keep the largest shift.
    const bool same_run = run_end.count(t) && run_end[t] == i - 1 && trend.change_points.back().verdict == v;
    run_end[t] = i;
    if (same_run) {
      if (std::fabs(family[k].estimate_pct) > std::fabs(trend.change_points.back().estimate_pct)) {
        trend.change_points.back() = family[k];
        trend.change_indices.back() = i;
      }
      continue;
    }
    trend.change_points.push_back(family[k]);
    trend.change_indices.push_back(i);
  }
  return h;
}

std::string history_markdown(const History& h, const HistoryOptions& o) {
  std::string out = "## shishu-bench history\n\n" + std::to_string(h.labels.size()) + " reports, oldest first:\n";
  for (size_t i = 0; i < h.labels.size(); ++i) out += "- #" + std::to_string(i) + " " + h.labels[i] + "\n";
  int flagged = 0;
  for (const auto& t : h.trends) flagged += !t.change_points.empty();
  out += "\nA change point at report #i compares the medians of up to " + std::to_string(o.window) +
         " reports before it with up to " + std::to_string(o.window) +
         " from it on (Hodges-Lehmann shift, Mann-Whitney interval, threshold " + fmt("%g%%", o.change.threshold_pct) +
         "), corrected with Benjamini-Hochberg over the candidates of each trend (up to " +
         std::to_string(h.candidates) + "). " +
         std::to_string(flagged) + " of " + std::to_string(h.trends.size()) + " trends changed.\n\n";
  TextTable t;
  t.headers = {"point", "metric", "first", "last", "trend", "change points"};
  t.align = {Align::kLeft, Align::kLeft, Align::kRight, Align::kRight, Align::kLeft, Align::kLeft};
  for (const auto& trend : h.trends) {
    double first = NAN, last = NAN;
    for (double v : trend.values) if (std::isfinite(v)) { if (!std::isfinite(first)) first = v; last = v; }
    std::string changes;
    for (size_t k = 0; k < trend.change_points.size(); ++k) {
      const Change& c = trend.change_points[k];
      changes += (k ? "; " : "") + std::string("#") + std::to_string(trend.change_indices[k]) + " " +
                 fmt("%+.1f%%", c.estimate_pct) + " [" + fmt("%+.1f%%", c.lower_pct) + ", " + fmt("%+.1f%%", c.upper_pct) +
                 "] " + (c.verdict == Verdict::kRegression ? "**regression**" : "improvement");
    }
    t.add_row({trend.point_id, trend.metric, fmt("%.4g", first), fmt("%.4g", last), sparkline(trend.values),
               changes.empty() ? "-" : changes});
  }
  return out + t.markdown();
}

std::string history_json(const History& h) {
  using nlohmann::json;
  auto finite = [](double v) { return std::isfinite(v) ? json(v) : json(nullptr); };
  json trends = json::array();
  for (const auto& t : h.trends) {
    json values = json::array(), changes = json::array();
    for (double v : t.values) values.push_back(finite(v));
    for (size_t k = 0; k < t.change_points.size(); ++k) {
      const Change& c = t.change_points[k];
      changes.push_back({{"index", t.change_indices[k]}, {"change_pct", c.estimate_pct}, {"lower_pct", finite(c.lower_pct)},
                         {"upper_pct", finite(c.upper_pct)}, {"verdict", to_string(c.verdict)}});
    }
    trends.push_back({{"point", t.point_id}, {"metric", t.metric}, {"unit", bench::metric(t.metric).unit},
                      {"values", values}, {"change_points", changes}});
  }
  return base::json_text(json({{"schema", "shishu-bench/history"}, {"reports", h.labels}, {"candidates", h.candidates},
               {"trends", trends}}), 2) + "\n";
}

}  // namespace shishu::reports
