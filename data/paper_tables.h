// The paper's Tables 5-10, compiled into the binary from data/paper/*.csv.
// A table is rows keyed by model name and columns keyed by header name; values are
// looked up, never copied into code, so the CSV stays the single source.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shishu::paper {

struct CsvTable {
  std::vector<std::string> header;             // header[0] is the key column ("model")
  std::vector<std::vector<std::string>> rows;  // rows[i][0] is the model name

  // The cell for (row key, column name) as a number, if both exist and the cell parses.
  std::optional<double> number(std::string_view row_key, std::string_view column) const;
  std::vector<std::string> row_keys() const;
};

// Parses simple CSV (no quoting): the paper tables need nothing more. Throws
// std::runtime_error naming the line on a ragged row.
CsvTable parse_csv(std::string_view text);

// Loads an embedded table by file name, e.g. "table5_architectures.csv".
// Throws std::runtime_error if no such table was embedded.
const CsvTable& table(std::string_view file_name);

}  // namespace shishu::paper
