#include "reports/text_table.h"

#include <cmath>
#include <cstdio>

#include <algorithm>

namespace shishu::reports {
namespace {

std::string pad(const std::string& s, size_t width, Align a) {
  if (s.size() >= width) return s;
  const std::string fill(width - s.size(), ' ');
  return a == Align::kRight ? fill + s : s + fill;
}

std::string csv_cell(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += (c == '"') ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

}  // namespace

std::string TextTable::markdown() const {
  const size_t n = headers.size();
  std::vector<size_t> width(n, 3);
  auto col_align = [&](size_t i) { return i < align.size() ? align[i] : Align::kLeft; };
  for (size_t i = 0; i < n; ++i) width[i] = std::max(width[i], headers[i].size());
  for (const auto& r : rows)
    for (size_t i = 0; i < n && i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  std::string out = "|";
  for (size_t i = 0; i < n; ++i) out += " " + pad(headers[i], width[i], col_align(i)) + " |";
  out += "\n|";
  for (size_t i = 0; i < n; ++i) {
    std::string rule(width[i], '-');
    if (col_align(i) == Align::kRight) rule.back() = ':';
    out += " " + rule + " |";
  }
  out += "\n";
  for (const auto& r : rows) {
    out += "|";
    for (size_t i = 0; i < n; ++i) out += " " + pad(i < r.size() ? r[i] : "", width[i], col_align(i)) + " |";
    out += "\n";
  }
  return out;
}

std::string TextTable::csv() const {
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + csv_cell(cells[i]);
    out += "\n";
  };
  line(headers);
  for (const auto& r : rows) line(r);
  return out;
}

std::string with_thousands(long long value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

std::string fixed_or_exponent(double value, int digits) {
  char buf[64];
  if (std::fabs(value) >= 1e9) {
    std::snprintf(buf, sizeof buf, "%.3e", value);
  } else {
    std::snprintf(buf, sizeof buf, "%.*f", digits, value);
  }
  return buf;
}

}  // namespace shishu::reports
