// journal.jsonl, read back by `run --resume`: whole lines of point entries, with at most
// an unterminated last line forgiven. Bad input must come out as std::invalid_argument
// naming the line and the field; whatever is accepted must write back as it was read.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "our_words.h"
#include "reports/journal.h"
#include "reports/report_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    for (const auto& r : shishu::reports::Journal::parse(text, "journal.jsonl", nullptr)) {
      // The resumed run writes these points into its report: they must survive the trip.
      const auto again = shishu::reports::point_from_json(shishu::reports::point_to_json(r), "again");
      if (again.point.id() != r.point.id() || again.samples != r.samples || again.values != r.values) std::abort();
    }
  } catch (const std::invalid_argument& e) {
    shishu::fuzz::require_our_words(e.what(), text);
  }
  return 0;
}
