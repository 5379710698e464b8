// A plain text table rendered as GitHub Markdown or CSV. Every human-readable table
// in the project (models, run summaries, paper tables) goes through this one type.
#pragma once
#include <string>
#include <vector>

namespace shishu::reports {

enum class Align { kLeft, kRight };

struct TextTable {
  std::vector<std::string> headers;
  std::vector<Align> align;  // per column; missing entries are left-aligned
  std::vector<std::vector<std::string>> rows;

  void add_row(std::vector<std::string> row) { rows.push_back(std::move(row)); }
  std::string markdown() const;  // padded columns, right-aligned numbers
  std::string csv() const;       // RFC 4180 quoting where needed
};

// 1234567 -> "1,234,567": parameter counts read at a glance.
std::string with_thousands(long long value);

// `value` with `digits` after the point, or in exponent form from 1e9 up, so that no
// cell of a table grows past a dozen characters whatever a report holds.
std::string fixed_or_exponent(double value, int digits);

}  // namespace shishu::reports
