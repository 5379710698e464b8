// Rendering of a comparison: Markdown for people and CI summaries, JSON for tools.
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "base/utf8.h"
#include "bench/metrics.h"
#include "reports/compare.h"
#include "reports/text_table.h"

namespace shishu::reports {
namespace {

std::string num(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string pct(double v) {
  if (std::isinf(v)) return v > 0 ? "+inf" : "-inf";
  return num("%+.1f%%", v);
}

std::string interval_text(const Change& ch) {
  if (!ch.estimable) return "";
  return "[" + pct(ch.lower_pct) + ", " + pct(ch.upper_pct) + "]";
}

std::string verdict_text(const Change& ch) {
  if (ch.verdict == Verdict::kRegression) return "**REGRESSION**";
  return to_string(ch.verdict);
}

std::string method_text(const Comparison& c, const CompareOptions& o) {
  const std::string level = num("%g%%", 100 * o.change.confidence);
  std::string s = c.paired
                      ? "Paired rounds (" + std::to_string(c.rounds) +
                            "): each change is the Hodges-Lehmann median of the per-round log ratios, with a "
                            "Wilcoxon signed-rank interval"
                      : "Two reports, unpaired: each change is the Hodges-Lehmann shift of the log values of the "
                        "repetitions, with a Mann-Whitney (Moses) interval; repetitions of one process are treated as "
                        "independent, which they are not quite (an interleaved A/B with scripts/ab.sh is sounder)";
  s += ", at " + level + " confidence. The " + std::to_string(c.corrected_for) +
       " estimated changes are corrected together with Benjamini-Hochberg (false discovery rate " +
       num("%g%%", 100 * (1 - o.change.confidence)) +
       "); a regression or improvement shows its interval at the adjusted level. Threshold: " +
       num("%g%%", o.change.threshold_pct);
  for (const auto& [metric, t] : o.change.metric_threshold_pct) s += ", " + metric + " " + num("%g%%", t);
  s += ". Verdicts: *regression* or *improvement* when the whole interval lies beyond the threshold, "
       "*unchanged* when it lies within, *inconclusive* when it straddles it.";
  if (c.paired && c.corrected_for > 0) {
    // The signed-rank test's smallest two-sided p with n rounds is 2 / 2^n; BH declares
    // the k smallest p-values when p_(k) <= k * alpha / m.
    const double alpha = 1 - o.change.confidence, m = c.corrected_for;
    const double p_min = 2 / std::pow(2.0, c.rounds);
    const int together = static_cast<int>(std::ceil(m * p_min / alpha - 1e-9));
    const int lone_rounds = static_cast<int>(std::ceil(std::log2(2 * m / alpha) - 1e-9));
    const std::string rounds = std::to_string(c.rounds);
    if (p_min > alpha) {
      s += " With " + rounds + " rounds no p-value falls below " + num("%.3g", p_min) +
           ": no change can be declared, however large; use at least " +
           std::to_string(static_cast<int>(std::ceil(std::log2(2 / alpha) - 1e-9))) + " rounds (--rounds).";
    } else if (together > 1) {
      s += " With " + rounds + " rounds no p-value falls below " + num("%.3g", p_min) +
           ", so a change is declared only when at least " + std::to_string(together) + " of the " +
           std::to_string(c.corrected_for) + " comparisons move together; a change confined to one comparison needs " +
           std::to_string(lone_rounds) + " rounds (--rounds).";
    }
  }
  return s;
}

}  // namespace

std::string comparison_markdown(const Comparison& c, const CompareOptions& o, bool all_points) {
  std::string out = "## shishu-bench comparison\n\n";
  if (!c.context_mismatches.empty()) {
    out += "**Context mismatch, compared anyway (--allow-context-mismatch):**\n";
    for (const auto& m : c.context_mismatches) out += "- " + m + "\n";
    out += "\n";
  }
  if (!c.warnings.empty()) {
    out += "Warnings:\n";
    for (const auto& w : c.warnings) out += "- " + w + "\n";
    out += "\n";
  }
  out += "Base " + c.base_label + ", new " + c.current_label + ".\n\n";
  out += c.regressions ? "**" + std::to_string(c.regressions) + " point(s) regressed**" : std::string("**No regression**");
  out += " in " + std::to_string(c.points.size()) + " matched points; " + std::to_string(c.improvements) +
         " improved, " + std::to_string(c.inconclusive) + " inconclusive; " + std::to_string(c.added.size()) +
         " added, " + std::to_string(c.removed.size()) + " removed.\n\n";
  out += method_text(c, o) + "\n\n";
  TextTable t;
  t.headers = {"point", "metric", "base", "new", "change", "interval", "confidence", "verdict", "note"};
  t.align = {Align::kLeft,  Align::kLeft,  Align::kRight, Align::kRight, Align::kRight,
             Align::kRight, Align::kRight, Align::kLeft,  Align::kLeft};
  for (const auto& p : c.points) {
    if (p.base_status != p.current_status || p.status_regression) {
      t.add_row({p.id, "status", p.base_status, p.current_status, "", "", "",
                 p.status_regression ? "**REGRESSION**" : "improvement", ""});
    }
    for (const auto& ch : p.changes) {
      if (!all_points && ch.verdict == Verdict::kUnchanged) continue;
      std::string note = ch.note;
      if (!p.environment_flags.empty()) note += std::string(note.empty() ? "" : "; ") + "measured under: " + p.environment_flags.front();
      t.add_row({p.id, ch.metric, num("%.4g", ch.base), num("%.4g", ch.current), pct(ch.estimate_pct), interval_text(ch),
                 ch.estimable ? num("%.3g%%", 100 * ch.confidence) : "", verdict_text(ch), note});
    }
  }
  out += t.rows.empty() ? "Every estimated change lies within its threshold.\n" : t.markdown();
  for (const auto& [title, ids] : {std::pair{"Added", &c.added}, std::pair{"Removed", &c.removed}}) {
    if (ids->empty()) continue;
    out += std::string("\n") + title + " points:\n";
    for (const auto& id : *ids) out += "- `" + id + "`\n";
  }
  return out;
}

std::string comparison_json(const Comparison& c, const CompareOptions& o) {
  using nlohmann::json;
  auto finite = [](double v) { return std::isfinite(v) ? json(v) : json(nullptr); };  // JSON has no infinity
  json points = json::array();
  for (const auto& p : c.points) {
    json changes = json::array();
    for (const auto& ch : p.changes) {
      changes.push_back({{"metric", ch.metric},         {"base", ch.base},
                         {"new", ch.current},           {"change_pct", ch.estimate_pct},
                         {"lower_pct", finite(ch.lower_pct)}, {"upper_pct", finite(ch.upper_pct)},
                         {"confidence", ch.confidence}, {"threshold_pct", ch.threshold_pct},
                         {"p_beyond_threshold", ch.p_beyond}, {"estimated", ch.estimable},
                         {"n_base", ch.n_base},         {"n_new", ch.n_new},
                         {"verdict", to_string(ch.verdict)}, {"note", ch.note}});
    }
    points.push_back({{"id", p.id},
                      {"base_status", p.base_status},
                      {"new_status", p.current_status},
                      {"status_regression", p.status_regression},
                      {"environment_flags", p.environment_flags},
                      {"changes", changes}});
  }
  const json doc = {{"method", c.paired ? "paired-rounds" : "unpaired-reports"},
                    {"rounds", c.rounds},
                    {"confidence", o.change.confidence},
                    {"threshold_pct", o.change.threshold_pct},
                    {"correction", "benjamini-hochberg"},
                    {"corrected_for", c.corrected_for},
                    {"regressions", c.regressions},
                    {"improvements", c.improvements},
                    {"inconclusive", c.inconclusive},
                    {"context_mismatches", c.context_mismatches},
                    {"warnings", c.warnings},
                    {"added", c.added},
                    {"removed", c.removed},
                    {"points", points}};
  return base::json_text(doc, 2) + "\n";
}

}  // namespace shishu::reports
