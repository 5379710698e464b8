// Outside text made valid UTF-8 (base/utf8.h), against hand-worked byte sequences, and
// the writers that take a result whose text skipped that step.
#include <gtest/gtest.h>

#include "base/utf8.h"
#include "bench/result.h"
#include "reports/report_json.h"

using shishu::base::valid_utf8;

namespace {
const std::string kFffd = "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER, encoded
}

TEST(ValidUtf8, ValidTextIsUnchanged) {
  for (const std::string& s : std::vector<std::string>{"", "plain ascii", "caf\xC3\xA9 \xE2\x82\xAC 1\xE2\x80\xAF" "000 \xF0\x9F\x9A\x80",
                              "tab\tnew\nline \"quoted\" back\\slash", std::string("nul\0inside", 10)}) {
    EXPECT_EQ(valid_utf8(s), s);
  }
}

TEST(ValidUtf8, EachInvalidSequenceBecomesReplacementCharacters) {
  // A stray continuation-free lead byte 0xFF (never valid in UTF-8).
  EXPECT_EQ(valid_utf8("device \xff: init"), "device " + kFffd + ": init");
  // A three-byte sequence cut short at the end, and in the middle of text.
  EXPECT_EQ(valid_utf8("euro \xE2\x82"), "euro " + kFffd);
  EXPECT_EQ(valid_utf8("a\xE2\x82z"), "a" + kFffd + "z");
  // Overlong "/" (0xC0 0xAF) and an encoded surrogate (U+D800: 0xED 0xA0 0x80) are invalid.
  const std::string overlong = valid_utf8("x\xC0\xAFy"), surrogate = valid_utf8("x\xED\xA0\x80y");
  for (const std::string& s : {overlong, surrogate}) {
    EXPECT_EQ(s.front(), 'x');
    EXPECT_EQ(s.back(), 'y');
    EXPECT_NE(s.find(kFffd), std::string::npos) << s;
    EXPECT_EQ(valid_utf8(s), s);  // the result is valid: a second pass changes nothing
  }
}

TEST(ValidUtf8, JsonTreesAreCleanedKeysIncluded) {
  const nlohmann::json doc = {{"path\xff", {"a\xfe", 1, {{"k", "ok"}}}}};
  const nlohmann::json clean = shishu::base::valid_utf8_tree(doc);
  EXPECT_EQ(clean, (nlohmann::json{{"path" + kFffd, {"a" + kFffd, 1, {{"k", "ok"}}}}}));
  EXPECT_THROW((void)doc.dump(), nlohmann::json::type_error);  // the hazard itself
  EXPECT_EQ(shishu::base::json_text(doc), clean.dump());
}

// A result whose message was assigned raw still reaches the journal and the report:
// the writers serialise with replacement, never throw.
TEST(ValidUtf8, ResultsSerialiseEvenWithARawMessage) {
  shishu::bench::PointResult r;
  r.point.model = "125m:2";
  r.status = shishu::bench::Status::kError;
  r.message = "cut \xE2\x82";
  const std::string line = shishu::base::json_text(shishu::reports::point_to_json(r));
  EXPECT_EQ(nlohmann::json::parse(line)["message"], "cut " + kFffd);

  shishu::bench::PointResult s;
  s.set_message("first \xff line\nbacktrace frame 1\nframe 2");
  EXPECT_EQ(s.message, "first " + kFffd + " line");
}
