#include <gtest/gtest.h>

#include "models/layout.h"

using shishu::models::Layout;
using shishu::models::LayoutError;
using shishu::models::parse_layout;

TEST(Layout, ParsesThePaperLayouts) {
  Layout mobile = parse_layout("30");
  EXPECT_EQ(mobile.full_layers, 30);
  EXPECT_EQ(mobile.mlp_only_layers(), 0);
  EXPECT_EQ(mobile.to_string(), "30");

  Layout shishu = parse_layout("20+13");
  EXPECT_EQ(shishu.full_layers, 20);
  EXPECT_EQ(shishu.mlp_only_layers(), 13);
  EXPECT_EQ(shishu.mlp_param_sets(), 13);

  Layout shared = parse_layout("20+7*2");
  EXPECT_EQ(shared.mlp_only_layers(), 14);
  EXPECT_EQ(shared.mlp_param_sets(), 7);
  EXPECT_EQ(shared.total_layers(), 34);
}

TEST(Layout, MixedTermsScheduleSetsInOrder) {
  Layout l = parse_layout("21+1+6*2");
  EXPECT_EQ(l.full_layers, 21);
  EXPECT_EQ(l.mlp_only_layers(), 13);
  EXPECT_EQ(l.mlp_param_sets(), 7);
  const std::vector<int> expected = {0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6};
  EXPECT_EQ(l.mlp_schedule(), expected);
  EXPECT_EQ(parse_layout("2+3*3").mlp_schedule(), (std::vector<int>{0, 0, 0, 1, 1, 1, 2, 2, 2}));
}

TEST(Layout, RoundTripsThroughText) {
  for (const char* text : {"30", "20+13", "20+7*2", "21+1+6*2", "10+20", "0+4", "3+2*4+1"}) {
    EXPECT_EQ(parse_layout(parse_layout(text).to_string()).to_string(), parse_layout(text).to_string()) << text;
  }
  EXPECT_EQ(parse_layout("21+1+6*2").to_string(), "21+1+6*2");
}

// Each bad layout must be rejected with a message that names the problem.
TEST(Layout, RejectsBadLayoutsWithAReason) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "is empty"},
      {"20+", "ends where an MLP-only layer count"},
      {"+13", "where the full-layer count"},
      {"20+x", "'x' where an MLP-only layer count"},
      {"20+7*1", "a tie needs at least 2"},
      {"20+7*", "ends where a tie size"},
      {"20-13", "'-' where '+' was expected"},
      {"0", "has no layers"},
      {"0+0", "an MLP-only layer count of 0"},
      {"30+0", "an MLP-only layer count of 0"},  // the paper's "30 + 0" is written 30
      {"2+0*2", "an MLP-only layer count of 0"},
      {"2+1+0", "an MLP-only layer count of 0"},
      {"2+1*0", "a tie needs at least 2"},
      {"1000+100", "more than the limit"},
      {"99999", "above 1024"},
      {" 20+13", "' ' where the full-layer count"},
  };
  for (const auto& [text, reason] : cases) {
    try {
      parse_layout(text);
      ADD_FAILURE() << "accepted bad layout '" << text << "'";
    } catch (const LayoutError& e) {
      EXPECT_NE(std::string(e.what()).find(reason), std::string::npos)
          << "layout '" << text << "': message '" << e.what() << "' lacks '" << reason << "'";
      EXPECT_NE(std::string(e.what()).find("'" + text + "'"), std::string::npos) << e.what();
    }
  }
}
