#include "planner/model_file.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <stdexcept>

#include "planner/baselines.h"
#include "planner/terms.h"

namespace shishu::planner {
namespace {

using nlohmann::json;

[[noreturn]] void bad(std::string_view origin, const std::string& where, const std::string& what) {
  throw std::invalid_argument(std::string(origin) + ": " + where + ": " + what);
}

const json& field(const json& obj, const char* key, std::string_view origin, const std::string& where) {
  if (!obj.is_object()) bad(origin, where, "expected an object, found " + std::string(obj.type_name()));
  if (!obj.contains(key)) bad(origin, where, "missing '" + std::string(key) + "'");
  return obj.at(key);
}

double number(const json& v, std::string_view origin, const std::string& where) {
  if (!v.is_number()) bad(origin, where, "expected a number, found " + std::string(v.type_name()));
  return v.get<double>();
}

std::string text(const json& v, std::string_view origin, const std::string& where) {
  if (!v.is_string()) bad(origin, where, "expected a string, found " + std::string(v.type_name()));
  return v.get<std::string>();
}

// Refuses keys of `obj` outside `known`: a field we do not read is a file we misread.
void only_keys(const json& obj, const std::set<std::string>& known, std::string_view origin, const std::string& where) {
  for (const auto& [key, value] : obj.items()) {
    if (!known.count(key)) bad(origin, where, "unknown field '" + key + "'");
  }
}

json nullable(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

struct ProvenanceField {
  const char* name;
  std::string (*value)(const Provenance& p);
  bool from_context;  // compared only where both sides record it (the caller's own record)
};

std::string context_text(const Provenance& p, const char* key) {
  return p.context.contains(key) ? p.context[key].dump() : "";
}

const std::vector<ProvenanceField>& provenance_fields() {
  static const std::vector<ProvenanceField> table = {
      {"device", [](const Provenance& p) { return p.device; }, false},
      {"dtype", [](const Provenance& p) { return p.dtype; }, false},
      {"build_commit", [](const Provenance& p) { return p.build_commit; }, false},
      {"bytes_per_element", [](const Provenance& p) { return std::to_string(p.bytes_per_element); }, false},
      // A decode step through another backend, or on another thread count, is another
      // cost: timings from either are not the calibration's.
      {"decode_backend", [](const Provenance& p) { return context_text(p, "decode_backend"); }, true},
      {"torch_threads", [](const Provenance& p) { return context_text(p, "torch_threads"); }, true},
  };
  return table;
}

Provenance read_provenance(const json& j, std::string_view origin) {
  const std::string at = "provenance";
  only_keys(j, {"device", "dtype", "build_commit", "bytes_per_element", "context"}, origin, at);
  Provenance p;
  p.device = text(field(j, "device", origin, at), origin, at + ".device");
  // "<kind>: <name>", as the bridge writes it; the predicted report splits it.
  const auto colon = p.device.find(": ");
  const std::string kind = p.device.substr(0, colon);
  if (colon == std::string::npos || (kind != "cpu" && kind != "cuda") || colon + 2 >= p.device.size()) {
    bad(origin, at + ".device", "'" + p.device + "' is not 'cpu: <name>' or 'cuda: <name>'");
  }
  p.dtype = text(field(j, "dtype", origin, at), origin, at + ".dtype");
  p.build_commit = text(field(j, "build_commit", origin, at), origin, at + ".build_commit");
  const json& bpe = field(j, "bytes_per_element", origin, at);
  if (!bpe.is_number_integer() || bpe.get<int>() < 1)
    bad(origin, at + ".bytes_per_element", "expected an integer >= 1");
  p.bytes_per_element = bpe.get<int>();
  p.context = field(j, "context", origin, at);
  if (!p.context.is_object()) bad(origin, at + ".context", "expected an object");
  return p;
}

QuantityModel read_quantity(Quantity q, const json& j, std::string_view origin, const std::string& at) {
  only_keys(j, {"unit", "points", "rms_relative_residual", "coefficients", "ranges", "baselines"}, origin, at);
  QuantityModel qm;
  qm.quantity = q;
  if (text(field(j, "unit", origin, at), origin, at + ".unit") != info(q).unit)
    bad(origin, at + ".unit", "not " + std::string(info(q).unit));
  const json& points = field(j, "points", origin, at);
  if (!points.is_number_integer() || points.get<int>() < 1) bad(origin, at + ".points", "expected an integer >= 1");
  qm.points = points.get<int>();
  qm.rms_relative_residual =
      number(field(j, "rms_relative_residual", origin, at), origin, at + ".rms_relative_residual");

  const json& coefs = field(j, "coefficients", origin, at);
  std::set<std::string> keys;
  for (const auto& t : terms_for(q)) {
    const std::string where = at + ".coefficients." + std::string(t.key);
    keys.insert(std::string(t.key));
    const json& c = field(coefs, std::string(t.key).c_str(), origin, at + ".coefficients");
    only_keys(c, {"value", "stderr", "at_bound", "unit"}, origin, where);
    if (text(field(c, "unit", origin, where), origin, where + ".unit") != t.unit) {
      bad(origin, where + ".unit", "not '" + std::string(t.unit) + "' (a model from another version of the terms)");
    }
    const json& se = field(c, "stderr", origin, where);
    const json& at_bound = field(c, "at_bound", origin, where);
    if (!at_bound.is_boolean()) bad(origin, where + ".at_bound", "expected true or false");
    const double value = number(field(c, "value", origin, where), origin, where + ".value");
    // A cost the fit holds non-negative cannot be negative in a file either.
    if (t.non_negative && value < 0) bad(origin, where + ".value", "a cost term cannot be negative");
    const double stderr_value = se.is_null() ? std::numeric_limits<double>::quiet_NaN() : number(se, origin, where + ".stderr");
    if (stderr_value < 0) bad(origin, where + ".stderr", "a standard error cannot be negative");
    qm.coefficients.push_back({std::string(t.key), value, stderr_value, at_bound.get<bool>()});
  }
  only_keys(coefs, keys, origin, at + ".coefficients");

  const json& ranges = field(j, "ranges", origin, at);
  std::set<std::string> axes;
  for (auto axis : range_axes_of(q)) {
    const std::string where = at + ".ranges." + std::string(axis);
    axes.insert(std::string(axis));
    const json& span = field(ranges, std::string(axis).c_str(), origin, at + ".ranges");
    if (!span.is_array() || span.size() != 2) bad(origin, where, "expected [lo, hi]");
    AxisRange r{std::string(axis), number(span[0], origin, where + "[0]"), number(span[1], origin, where + "[1]")};
    if (r.lo > r.hi) bad(origin, where, "lo above hi");
    qm.ranges.push_back(r);
  }
  only_keys(ranges, axes, origin, at + ".ranges");

  const json& factors = field(j, "baselines", origin, at);
  std::set<std::string> names;
  for (const auto& b : baselines()) {
    if (!applies(b, q) || !b.fitted) continue;
    const std::string where = at + ".baselines." + std::string(b.name);
    names.insert(std::string(b.name));
    const json& k = field(factors, std::string(b.name).c_str(), origin, at + ".baselines");
    qm.baseline_factors.emplace_back(b.name,
                                     k.is_null() ? std::numeric_limits<double>::quiet_NaN() : number(k, origin, where));
  }
  only_keys(factors, names, origin, at + ".baselines");
  return qm;
}

}  // namespace

json provenance_json(const Provenance& p) {
  return {{"device", p.device},
          {"dtype", p.dtype},
          {"build_commit", p.build_commit},
          {"bytes_per_element", p.bytes_per_element},
          {"context", p.context}};
}

json to_json(const CostModel& m) {
  if (!m.transferred_from.empty()) {
    throw std::invalid_argument("a width-transferred cost model (" + m.transferred_from + " to " + m.widths_name +
                                ") is not written to a file: transfer it where it is used (--scale)");
  }
  const json prov = provenance_json(m.provenance);
  json widths = {{"name", m.widths_name}};
  for (const auto& f : width_fields()) widths[std::string(f.name)] = m.widths.*(f.field);
  json quantities = json::object();
  for (const auto& qm : m.quantities) {
    json coefs = json::object(), ranges = json::object(), factors = json::object();
    const auto& terms = terms_for(qm.quantity);
    for (size_t j = 0; j < terms.size(); ++j) {
      const auto& c = qm.coefficients[j];
      coefs[c.term] = {
          {"value", c.value}, {"stderr", nullable(c.stderr_value)}, {"at_bound", c.at_bound}, {"unit", terms[j].unit}};
    }
    for (const auto& r : qm.ranges) ranges[r.axis] = {r.lo, r.hi};
    for (const auto& [name, k] : qm.baseline_factors) factors[name] = nullable(k);
    quantities[std::string(info(qm.quantity).name)] = {
        {"unit", info(qm.quantity).unit}, {"points", qm.points}, {"rms_relative_residual", qm.rms_relative_residual},
        {"coefficients", coefs},          {"ranges", ranges},    {"baselines", factors}};
  }
  return {{"format", kModelFormat},
          {"version", kModelVersion},
          {"provenance", prov},
          {"widths", widths},
          {"calibration_layouts", m.calibration_layouts},
          {"quantities", quantities}};
}

CostModel from_json(const json& doc, std::string_view origin) {
  only_keys(doc, {"format", "version", "provenance", "widths", "calibration_layouts", "quantities"}, origin,
            "top level");
  if (text(field(doc, "format", origin, "top level"), origin, "format") != kModelFormat) {
    bad(origin, "format", "not a " + std::string(kModelFormat) + " file");
  }
  const json& version = field(doc, "version", origin, "top level");
  if (version != kModelVersion)
    bad(origin, "version", version.dump() + ", this build reads " + std::to_string(kModelVersion));
  CostModel m;
  m.provenance = read_provenance(field(doc, "provenance", origin, "top level"), origin);

  const json& widths = field(doc, "widths", origin, "top level");
  std::set<std::string> width_keys = {"name"};
  m.widths_name = text(field(widths, "name", origin, "widths"), origin, "widths.name");
  for (const auto& f : width_fields()) {
    const json& v = field(widths, std::string(f.name).c_str(), origin, "widths");
    if (!v.is_number_integer() || v.get<int>() < 1)
      bad(origin, "widths." + std::string(f.name), "expected an integer >= 1");
    m.widths.*(f.field) = v.get<int>();
    width_keys.insert(std::string(f.name));
  }
  only_keys(widths, width_keys, origin, "widths");

  const json& layouts = field(doc, "calibration_layouts", origin, "top level");
  if (!layouts.is_array()) bad(origin, "calibration_layouts", "expected an array");
  for (size_t i = 0; i < layouts.size(); ++i) {
    const std::string where = "calibration_layouts[" + std::to_string(i) + "]";
    const std::string t = text(layouts[i], origin, where);
    try {
      m.calibration_layouts.push_back(models::parse_layout(t).to_string());
    } catch (const models::LayoutError& e) {
      bad(origin, where, e.what());
    }
  }
  const json& qs = field(doc, "quantities", origin, "top level");
  if (!qs.is_object() || qs.empty()) bad(origin, "quantities", "expected a non-empty object");
  for (const auto& [name, body] : qs.items()) {
    Quantity q;
    try {
      q = parse_quantity(name);
    } catch (const std::invalid_argument& e) {
      bad(origin, "quantities", e.what());
    }
    m.quantities.push_back(read_quantity(q, body, origin, "quantities." + name));
  }
  return m;
}

std::optional<ProvenanceDifference> provenance_difference(const Provenance& a, const Provenance& b) {
  for (const auto& f : provenance_fields()) {
    const std::string va = f.value(a), vb = f.value(b);
    if (f.from_context && (va.empty() || vb.empty())) continue;
    if (va != vb) return ProvenanceDifference{f.name, va, vb};
  }
  return std::nullopt;
}

void check_provenance(const CostModel& model, const Provenance& here, std::string_view origin) {
  if (const auto d = provenance_difference(model.provenance, here)) {
    throw std::invalid_argument(std::string(origin) + ": the cost model was calibrated with " + d->field + " '" + d->a +
                                "', but here " + d->field + " is '" + d->b +
                                "'; recalibrate here rather than predict across them");
  }
}

void save_model(const CostModel& model, const std::string& path) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << to_json(model).dump(2) << "\n";
    out.close();
    if (!out) {
      std::remove(tmp.c_str());
      throw std::runtime_error("cannot write the cost model to '" + path + "'");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw std::runtime_error("cannot move the cost model into place at '" + path + "'");
  }
}

CostModel load_model(const std::string& path, const Provenance& here) {
  CostModel m = read_model(path);
  check_provenance(m, here, path);
  return m;
}

CostModel read_model(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument(path + ": cannot be read");
  std::stringstream text_in;
  text_in << in.rdbuf();
  json doc;
  try {
    doc = json::parse(text_in.str());
  } catch (const json::parse_error& e) {
    throw std::invalid_argument(path + ": not JSON: " + e.what());
  }
  return from_json(doc, path);
}

}  // namespace shishu::planner
