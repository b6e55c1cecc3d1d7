#include "util/text.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nightshift {
namespace {

std::vector<std::string> Lines(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) out.emplace_back(TakeLine(text));
  return out;
}

TEST(TakeLineTest, SplitsOnNewlinesKeepingEmptyLinesAndALastLineWithoutOne) {
  EXPECT_EQ(Lines("a\nbc\n"), (std::vector<std::string>{"a", "bc"}));
  EXPECT_EQ(Lines("a\n\nb"), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(Lines("\n"), (std::vector<std::string>{""}));
  EXPECT_TRUE(Lines("").empty());
}

}  // namespace
}  // namespace nightshift
