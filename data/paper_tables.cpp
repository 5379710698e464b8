#include "data/paper_tables.h"

#include <cstdlib>
#include <map>
#include <mutex>
#include <sstream>
#include <stdexcept>

namespace shishu::paper_data {
std::optional<std::string_view> find_embedded(std::string_view name);
}

namespace shishu::paper {
namespace {

std::vector<std::string> split_line(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, ',')) cells.push_back(cell);
  if (!line.empty() && line.back() == ',') cells.emplace_back();
  return cells;
}

}  // namespace

std::optional<double> CsvTable::number(std::string_view row_key, std::string_view column) const {
  size_t col = 0;
  while (col < header.size() && header[col] != column) ++col;
  if (col == header.size()) return std::nullopt;
  for (const auto& row : rows) {
    if (row[0] != row_key) continue;
    const std::string& cell = row[col];
    char* end = nullptr;
    const double value = std::strtod(cell.c_str(), &end);
    if (cell.empty() || end != cell.c_str() + cell.size()) return std::nullopt;
    return value;
  }
  return std::nullopt;
}

std::vector<std::string> CsvTable::row_keys() const {
  std::vector<std::string> keys;
  for (const auto& row : rows) keys.push_back(row[0]);
  return keys;
}

CsvTable parse_csv(std::string_view text) {
  CsvTable table;
  std::istringstream in{std::string(text)};
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    auto cells = split_line(line);
    if (table.header.empty()) {
      table.header = std::move(cells);
      continue;
    }
    if (cells.size() != table.header.size()) {
      throw std::runtime_error("CSV line " + std::to_string(line_no) + " has " +
                               std::to_string(cells.size()) + " cells, header has " +
                               std::to_string(table.header.size()));
    }
    table.rows.push_back(std::move(cells));
  }
  return table;
}

const CsvTable& table(std::string_view file_name) {
  static std::mutex mutex;
  static std::map<std::string, CsvTable, std::less<>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(file_name);
  if (it != cache.end()) return it->second;
  auto text = paper_data::find_embedded(file_name);
  if (!text) throw std::runtime_error("no embedded paper table named " + std::string(file_name));
  return cache.emplace(std::string(file_name), parse_csv(*text)).first->second;
}

}  // namespace shishu::paper
