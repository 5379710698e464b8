#include "planner/print.h"

#include <cmath>
#include <cstdarg>
#include <cstdio>

#include "planner/terms.h"

namespace shishu::planner {
namespace {

std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char* fmt, ...) {
  char buf[512];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, args);
  va_end(args);
  return buf;
}

std::string pct(double fraction) { return std::isfinite(fraction) ? format("%.1f%%", 100 * fraction) : "-"; }

std::string number(double v) { return std::isfinite(v) ? format("%.4g", v) : "-"; }

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

}  // namespace

std::string describe(const CostModel& m) {
  const auto& p = m.provenance;
  std::string out =
      format("cost model: %s widths; device %s, dtype %s (%d B/element), build %s\n", m.widths_name.c_str(),
             p.device.c_str(), p.dtype.c_str(), p.bytes_per_element, p.build_commit.c_str());
  out += "calibration layouts: " + join(m.calibration_layouts) + "\n";
  for (const auto& qm : m.quantities) {
    const auto& q = info(qm.quantity);
    out += format("%s (%s, %s): %d points, rms relative residual %s\n", std::string(q.name).c_str(),
                  std::string(q.meaning).c_str(), std::string(q.unit).c_str(), qm.points,
                  pct(qm.rms_relative_residual).c_str());
    const auto& terms = terms_for(qm.quantity);
    for (size_t j = 0; j < terms.size(); ++j) {
      const auto& c = qm.coefficients[j];
      const std::string se = c.at_bound ? "(held at 0)" : "± " + number(c.stderr_value);
      out += format("  %-45s %10s %-12s %s\n", std::string(terms[j].label).c_str(), number(c.value).c_str(), se.c_str(),
                    std::string(terms[j].unit).c_str());
    }
    std::string ranges;
    for (const auto& r : qm.ranges)
      ranges += format(" %s %s..%s", r.axis.c_str(), number(r.lo).c_str(), number(r.hi).c_str());
    out += "  calibrated:" + ranges + "\n";
  }
  return out;
}

std::string describe(const Scorecard& card) {
  std::string out = format("%-20s %6s %8s %8s %8s %8s %7s %6s\n", "quantity", "points", "median", "p90", "max", "noise",
                           "hits", "tau");
  for (const auto& qs : card.quantities) {
    const auto& e = qs.errors;
    // A noise of 0 is "not measured" (a scalar such as a peak has one value a round):
    // no noise to compare with, so no hits either.
    const bool noise_known = qs.median_noise > 0;
    const std::string hits = noise_known ? std::to_string(qs.hits) + "/" + std::to_string(e.points) : "-";
    out += format("%-20s %6d %8s %8s %8s %8s %7s %6s\n", std::string(info(qs.quantity).name).c_str(), e.points,
                  pct(e.median).c_str(), pct(e.p90).c_str(), pct(e.max).c_str(),
                  noise_known ? pct(qs.median_noise).c_str() : "-", hits.c_str(), number(qs.kendall_tau).c_str());
    for (const auto& b : qs.baselines) {
      out += format("  baseline %-10s %6s %8s %8s %8s %8s %7s %6s\n", b.name.c_str(), "", pct(b.errors.median).c_str(),
                    pct(b.errors.p90).c_str(), pct(b.errors.max).c_str(), "", "", number(b.kendall_tau).c_str());
    }
  }
  return out;
}

std::string describe(const PlanResult& plan) {
  std::string out = format("%d layouts enumerated, %d within the budget, %zu on the Pareto front\n", plan.enumerated,
                           plan.within_budget, plan.front.size());
  auto row = [&](const Candidate& c) {
    std::string line =
        format("  %-14s %12lld %4d %8lld", c.model.layout.to_string().c_str(), static_cast<long long>(c.params),
               c.attention_layers, static_cast<long long>(c.kv_bytes_per_token));
    for (const auto& p : c.predictions) {
      line += format("  %s=%s %s", std::string(info(p.quantity).name).c_str(), number(p.value).c_str(),
                     std::string(info(p.quantity).unit).c_str());
    }
    if (!c.extrapolated.empty()) line += "  extrapolated: " + join(c.extrapolated);
    return line + "\n";
  };
  out += format("  %-14s %12s %4s %8s  predictions\n", "layout", "params", "attn", "KV B/tok");
  for (const auto& c : plan.front) out += row(c);
  out += "measure next, to confirm the front (farthest from the calibration first):\n";
  for (const auto& c : plan.measure_next) {
    out +=
        format("  %-14s distance %s\n", c.model.layout.to_string().c_str(), number(c.distance_to_calibration).c_str());
  }
  return out;
}

}  // namespace shishu::planner
