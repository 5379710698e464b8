#include "reports/efficiency_tables.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>

#include "bench/metrics.h"
#include "reports/point_flags.h"

namespace shishu::reports {
namespace {

struct TableSpec {
  std::string key;
  std::string title;
  std::string phase;
  bench::Axis column_axis;
  std::vector<std::string> metrics;  // the first one a point has is used
  double divisor;                    // value / divisor is printed
  std::string unit;
};

// The paper's tables, and the training step's.
const std::vector<TableSpec>& specs() {
  using bench::Axis;
  static const std::vector<TableSpec> kSpecs = {
      {"forward", "Forward latency (paper Table 6)", "forward", Axis::kSeq, {"latency_ms"}, 1, "ms"},
      {"forward_backward", "Forward+backward latency (paper Table 7)", "forward_backward", Axis::kSeq, {"latency_ms"}, 1,
       "ms"},
      {"generation", "Generation latency (paper Table 8)", "generate", Axis::kGen, {"latency_ms"}, 1, "ms"},
      {"train_step", "Training step latency: forward, backward and AdamW update", "train_step", Axis::kSeq,
       {"latency_ms"}, 1, "ms"},
      {"memory", "Peak memory during generation (paper Table 9)", "generate", Axis::kGen, bench::peak_memory_metrics(),
       1e6, "MB"},
      {"throughput", "Throughput (paper Table 10)", "generate", Axis::kBatch, {"throughput_tok_s"}, 1, "tok/s"},
  };
  return kSpecs;
}

// A phase none of the specs covers gets a latency table over its last shape axis, the
// one its declaration lists last (the length it is swept along): a report of a new
// phase is readable before it has a table of its own.
std::vector<TableSpec> specs_for(const LoadedReport& report) {
  std::vector<TableSpec> out = specs();
  for (const auto& r : report.points) {
    const std::string& phase = r.point.phase;
    const bool covered = std::any_of(out.begin(), out.end(), [&](const TableSpec& s) { return s.phase == phase; });
    if (covered || r.point.shape.empty()) continue;
    out.push_back({phase, "Latency of " + phase, phase, r.point.shape.rbegin()->first, {"latency_ms"}, 1, "ms"});
  }
  return out;
}

// The axes that stay fixed within one table, as a caption fragment and a group key.
std::string fixed_axes(const bench::Point& p, bench::Axis column_axis, const nlohmann::json& context) {
  std::string device = p.device.str();
  for (const auto& d : context.value("devices", nlohmann::json::array())) {
    if (d.value("device", "") == device && !d.value("name", "").empty()) device += " (" + d["name"].get<std::string>() + ")";
  }
  std::string s = p.dtype.name + ", " + device + ", " + p.mode.name();
  for (const auto& [axis, value] : p.shape) {
    if (axis != column_axis) s += std::string(", ") + bench::axis_name(axis) + " " + std::to_string(value);
  }
  return s;
}

std::string number(double v) { return fixed_or_exponent(v, 2); }

std::string latex_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '_' || c == '%' || c == '&' || c == '#') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

TableFormat parse_table_format(const std::string& name) {
  if (name == "markdown" || name == "md") return TableFormat::kMarkdown;
  if (name == "csv") return TableFormat::kCsv;
  if (name == "latex" || name == "tex") return TableFormat::kLatex;
  throw std::invalid_argument("unknown format '" + name + "'; use markdown, csv or latex");
}

std::vector<std::string> efficiency_table_keys() {
  std::vector<std::string> keys;
  for (const auto& s : specs()) keys.push_back(s.key);
  keys.emplace_back("profile");
  return keys;
}

namespace {

// One row per profiled point: what one untimed pass under the profiler showed.
std::optional<RenderedTable> profile_table(const LoadedReport& report) {
  RenderedTable t;
  t.key = "profile";
  t.title = "Profile of one untimed pass per point";
  t.caption = "busy = union of kernel time (CPU: top-level operator time) over the pass's wall time; "
              "layer times are work issued inside attention-layer and MLP-only-layer ranges";
  t.table.headers = {"point", "source", "unit", "per forward", "per prefill", "per decode step", "busy",
                     "attention layers", "MLP-only layers", "graph launches", "dropped"};
  t.table.align.assign(t.table.headers.size(), Align::kRight);
  t.table.align[0] = t.table.align[1] = t.table.align[2] = Align::kLeft;
  auto count = [](double v) { return v < 0 ? std::string("-") : number(v); };
  for (const auto& r : report.points) {
    if (!r.profile) continue;
    const auto& s = *r.profile;
    char busy[32];
    std::snprintf(busy, sizeof busy, "%.1f%% of %.2f ms", 100 * s.busy_fraction, s.wall_ms);
    t.table.add_row({r.point.id(), s.source, s.work_unit, count(s.per_forward), count(s.per_prefill),
                     count(s.per_decode_step), busy,
                     number(s.attention_layer_busy_ms) + " ms / " + std::to_string(s.attention_layer_calls),
                     number(s.mlp_only_layer_busy_ms) + " ms / " + std::to_string(s.mlp_only_layer_calls),
                     std::to_string(s.graph_launches), std::to_string(s.dropped_records)});
  }
  if (t.table.rows.empty()) return std::nullopt;
  return t;
}

}  // namespace

std::vector<RenderedTable> efficiency_tables(const LoadedReport& report, const std::vector<std::string>& only) {
  for (const auto& key : only) {
    const auto keys = efficiency_table_keys();
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      std::string known;
      for (const auto& k : keys) known += " " + k;
      throw std::invalid_argument("unknown table '" + key + "'; tables:" + known);
    }
  }
  std::vector<RenderedTable> out;
  for (const auto& spec : specs_for(report)) {
    if (!only.empty() && std::find(only.begin(), only.end(), spec.key) == only.end()) continue;
    // group -> (model order, columns, cells)
    struct Group {
      std::vector<std::string> models;
      std::set<int64_t> columns;
      std::map<std::pair<std::string, int64_t>, std::string> cells;
      int64_t repetitions = 0;
      std::set<std::string> metrics_used;
      std::set<std::string> marks;  // the flags its cells carry (reports/point_flags.h)
    };
    std::map<std::string, Group> groups;
    std::vector<std::string> group_order;
    for (const auto& r : report.points) {
      if (r.point.phase != spec.phase || !r.point.has(spec.column_axis)) continue;
      const std::string key = fixed_axes(r.point, spec.column_axis, report.context);
      if (!groups.count(key)) group_order.push_back(key);
      Group& g = groups[key];
      if (std::find(g.models.begin(), g.models.end(), r.point.model) == g.models.end()) g.models.push_back(r.point.model);
      const int64_t col = r.point.axis(spec.column_axis);
      g.columns.insert(col);
      std::string cell;
      if (r.status != bench::Status::kOk) {
        cell = bench::to_string(r.status);  // never a number for a failed point
      } else {
        double v = 0;
        cell = "n/a";  // ran, but this metric does not exist on its device
        if (const std::string* used = first_headline(r, spec.metrics, &v)) {
          cell = number(v / spec.divisor);
          g.metrics_used.insert(*used);
        }
        std::set<std::string> marks;  // each mark once per cell, said in the caption
        for (const auto& flag : point_flags(r, report.context)) {
          if (marks.insert(flag.mark).second) cell += " " + flag.mark;
        }
        g.marks.insert(marks.begin(), marks.end());
        if (auto it = r.samples.find("latency_ms"); it != r.samples.end()) {
          g.repetitions = std::max<int64_t>(g.repetitions, static_cast<int64_t>(it->second.size()));
        }
      }
      g.cells[{r.point.model, col}] = cell;
    }
    // A table needs a swept axis: skip one-column groups when another group has more.
    bool any_wide = false;
    for (const auto& [k, g] : groups) any_wide |= g.columns.size() > 1;
    for (const auto& key : group_order) {
      const Group& g = groups[key];
      if (any_wide && g.columns.size() < 2) continue;
      RenderedTable t;
      t.key = spec.key;
      t.title = spec.title;
      const bool sampled = spec.metrics.size() == 1;
      std::string what = sampled ? "median of " + std::to_string(g.repetitions) : "";
      for (const auto& m : g.metrics_used) what += (what.empty() ? "" : ", ") + m;  // which memory figure
      t.caption = spec.unit + ", " + what + "; " + key;
      for (const auto& mark : g.marks) t.caption += "; " + flag_caption(mark);
      t.table.headers = {"model"};
      t.table.align = {Align::kLeft};
      for (int64_t c : g.columns) {
        t.table.headers.push_back(std::string(bench::axis_name(spec.column_axis)) + " " + std::to_string(c));
        t.table.align.push_back(Align::kRight);
      }
      for (const auto& model : g.models) {
        std::vector<std::string> row = {model};
        for (int64_t c : g.columns) {
          auto it = g.cells.find({model, c});
          row.push_back(it == g.cells.end() ? "missing" : it->second);
        }
        t.table.add_row(row);
      }
      out.push_back(std::move(t));
    }
  }
  if (only.empty() || std::find(only.begin(), only.end(), "profile") != only.end()) {
    if (auto t = profile_table(report)) out.push_back(std::move(*t));
  }
  return out;
}

std::string render(const std::vector<RenderedTable>& tables, TableFormat format) {
  std::string out;
  for (const auto& t : tables) {
    switch (format) {
      case TableFormat::kMarkdown:
        out += "### " + t.title + "\n\n" + t.caption + "\n\n" + t.table.markdown() + "\n";
        break;
      case TableFormat::kCsv:
        out += "# " + t.title + "; " + t.caption + "\n" + t.table.csv() + "\n";
        break;
      case TableFormat::kLatex: {
        std::string cols = "l";
        cols.append(t.table.headers.size() - 1, 'r');
        out += "\\begin{table}[t]\n\\centering\n\\caption{" + latex_escape(t.title + ". " + t.caption) + "}\n";
        out += "\\begin{tabular}{" + cols + "}\n\\toprule\n";
        auto line = [&](const std::vector<std::string>& cells) {
          for (size_t i = 0; i < cells.size(); ++i) out += (i ? " & " : "") + latex_escape(cells[i]);
          out += " \\\\\n";
        };
        line(t.table.headers);
        out += "\\midrule\n";
        for (const auto& r : t.table.rows) line(r);
        out += "\\bottomrule\n\\end{tabular}\n\\end{table}\n\n";
        break;
      }
    }
  }
  if (tables.empty()) out = "(the report has no points for these tables)\n";
  return out;
}

std::string context_notes(const LoadedReport& report, TableFormat format) {
  const bool markdown = format == TableFormat::kMarkdown;
  const char* prefix = markdown ? "> Note: " : format == TableFormat::kCsv ? "# Note: " : "% Note: ";
  std::vector<std::string> notes = report.context.value("notes", std::vector<std::string>{});
  if (const std::string p = predicted_note(report); !p.empty()) notes.insert(notes.begin(), p);
  std::string out;
  for (const auto& note : notes) {
    out += prefix + note + (markdown ? "\n\n" : "\n");  // a blank line keeps Markdown quotes apart
  }
  return out;
}

}  // namespace shishu::reports
