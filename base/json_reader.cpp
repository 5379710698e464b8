#include "base/json_reader.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "base/utf8.h"

namespace shishu::base {
namespace {

using nlohmann::json;

// Follows the keys and indices of a document as nlohmann's SAX parser walks it, and
// keeps what its first error says. Written here because the library's own message names
// the byte but neither the file nor the field; a second walk over a text that failed to
// parse costs nothing on the texts that parse.
class PlaceTracker : public json::json_sax_t {
 public:
  struct Error {
    size_t byte = 0;
    std::string token;
    int id = 0;  // the library's exception id: 101 syntax, 406 a number out of range
    std::string place;
  };

  bool null() override { return value(); }
  bool boolean(bool) override { return value(); }
  bool number_integer(json::number_integer_t) override { return value(); }
  bool number_unsigned(json::number_unsigned_t) override { return value(); }
  bool number_float(json::number_float_t, const json::string_t&) override { return value(); }
  bool string(json::string_t&) override { return value(); }
  bool binary(json::binary_t&) override { return value(); }
  bool start_object(std::size_t) override { return open(false); }
  bool key(json::string_t& k) override {
    frames_.back().key = k;
    return true;
  }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(true); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t position, const std::string& last_token,
                   const nlohmann::detail::exception& ex) override {
    error_ = {position, last_token, ex.id, place()};
    return false;
  }
  const Error& error() const { return error_; }

 private:
  struct Frame {
    bool array;
    size_t next = 0;  // arrays: the index the next value takes
    std::string key;  // objects: the key of the value being read
  };

  bool value() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().next;
    return true;
  }
  bool open(bool array) {
    value();
    frames_.push_back({array, 0, ""});
    return true;
  }
  bool close() {
    frames_.pop_back();
    return true;
  }
  // The field being read when the error came: in an array, the element after the last
  // one read; in an object, the key last seen.
  std::string place() const {
    std::string out;
    for (size_t i = 0; i < frames_.size(); ++i) {
      const Frame& f = frames_[i];
      if (f.array) {
        // An outer array already counted the element that holds the inner frames.
        const size_t index = i + 1 < frames_.size() ? f.next - 1 : f.next;
        out += "[" + std::to_string(index) + "]";
      } else if (!f.key.empty()) {
        out += (out.empty() ? "" : ".") + f.key;
      }
    }
    return out;
  }

  std::vector<Frame> frames_;
  Error error_;
};

std::string line_and_column(std::string_view text, size_t byte) {
  // nlohmann counts the position one past the offending character.
  const size_t end = std::min(byte > 0 ? byte - 1 : 0, text.size());
  size_t line = 1, column = 1;
  for (size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

}  // namespace

json parse_json(std::string_view text, const std::string& origin) {
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (!doc.is_discarded()) return doc;
  PlaceTracker tracker;
  json::sax_parse(text.begin(), text.end(), &tracker);
  const PlaceTracker::Error& e = tracker.error();
  const std::string at = line_and_column(text, e.byte);
  const std::string in = e.place.empty() ? "" : " (in " + e.place + ")";
  // The text from the first byte that cannot be read, as the user wrote it.
  const size_t from = std::min(e.byte > 0 ? e.byte - 1 : 0, text.size());
  const std::string near = valid_utf8(text.substr(from, 12));
  const std::string token = valid_utf8(e.token.substr(0, 40));
  if (e.id == 406) {
    throw std::invalid_argument(origin + ": " + (e.place.empty() ? "" : e.place + ": ") + "the number " + token +
                                " is out of range, at " + at);
  }
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    throw std::invalid_argument(origin + ": empty, not JSON");
  }
  if (e.byte > text.size()) {
    throw std::invalid_argument(origin + ": cut short at " + at + in + ": the JSON does not end");
  }
  if (valid_utf8(text) != text) throw std::invalid_argument(origin + ": not valid UTF-8 text, at " + at + in);
  throw std::invalid_argument(origin + ": not JSON at " + at + in + ", at '" + near + "'");
}

std::string read_text_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw std::invalid_argument(path + ": cannot be read: " + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) throw std::invalid_argument(path + ": a directory, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument(path + ": cannot be read: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

json read_json_file(const std::string& path) { return parse_json(read_text_file(path), path); }

}  // namespace shishu::base
