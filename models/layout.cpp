#include "models/layout.h"

#include <cctype>

namespace shishu::models {

int Layout::mlp_only_layers() const {
  int n = 0;
  for (const auto& t : mlp_terms) n += t.count * t.tie;
  return n;
}

int Layout::mlp_param_sets() const {
  int n = 0;
  for (const auto& t : mlp_terms) n += t.count;
  return n;
}

std::vector<int> Layout::mlp_schedule() const {
  std::vector<int> schedule;
  int set = 0;
  for (const auto& t : mlp_terms) {
    for (int g = 0; g < t.count; ++g, ++set) {
      for (int k = 0; k < t.tie; ++k) schedule.push_back(set);
    }
  }
  return schedule;
}

std::string Layout::to_string() const {
  std::string s = std::to_string(full_layers);
  for (const auto& t : mlp_terms) {
    s += "+" + std::to_string(t.count);
    if (t.tie != 1) s += "*" + std::to_string(t.tie);
  }
  return s;
}

namespace {

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Layout parse() {
    if (text_.empty()) fail("is empty; expected e.g. 20+13 or 20+7*2", 0);
    Layout layout;
    layout.full_layers = number("the full-layer count");
    while (pos_ < text_.size()) {
      expect('+');
      MlpTerm term;
      const size_t count_pos = pos_;
      term.count = number("an MLP-only layer count");
      // A term of no layers says nothing a shorter layout does not: "30", not "30+0".
      if (term.count == 0) fail("has an MLP-only layer count of 0; leave the term out (write 30, not 30+0)", count_pos);
      if (pos_ < text_.size() && text_[pos_] == '*') {
        ++pos_;
        const size_t tie_pos = pos_;
        term.tie = number("a tie size");
        if (term.tie < 2) fail("ties groups of " + std::to_string(term.tie) +
                               " layers; a tie needs at least 2 (write N for untied layers)", tie_pos);
      }
      layout.mlp_terms.push_back(term);
    }
    if (layout.total_layers() == 0) fail("has no layers", 0);
    if (layout.total_layers() > kMaxLayers) {
      fail("has " + std::to_string(layout.total_layers()) + " layers, more than the limit of " +
           std::to_string(kMaxLayers), 0);
    }
    return layout;
  }

 private:
  [[noreturn]] void fail(const std::string& what, size_t at) const {
    throw LayoutError("layout '" + std::string(text_) + "' " + what + " (at character " +
                      std::to_string(at + 1) + ")");
  }

  void expect(char c) {
    if (pos_ >= text_.size() || text_[pos_] != c) {
      fail(std::string("has '") + text_[pos_] + "' where '" + c + "' was expected", pos_);
    }
    ++pos_;
  }

  int number(const char* what) {
    const size_t start = pos_;
    long value = 0;
    while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
      value = value * 10 + (text_[pos_] - '0');
      if (value > kMaxLayers) fail(std::string("has ") + what + " above " + std::to_string(kMaxLayers), start);
      ++pos_;
    }
    if (pos_ == start) {
      if (pos_ >= text_.size()) fail(std::string("ends where ") + what + " was expected", pos_);
      fail(std::string("has '") + text_[pos_] + "' where " + what + " (a non-negative integer) was expected", pos_);
    }
    return static_cast<int>(value);
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

Layout parse_layout(std::string_view text) { return Parser(text).parse(); }

}  // namespace shishu::models
