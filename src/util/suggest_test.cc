#include "util/suggest.h"

#include <gtest/gtest.h>

#include <array>

namespace nightshift {
namespace {

constexpr std::array<std::string_view, 4> kKeys = {"command", "timeout", "depends_on", "env"};

TEST(SuggestTest, EditDistanceCountsASwapAsOneEdit) {
  EXPECT_EQ(EditDistance("timeout", "timeout"), 0);
  EXPECT_EQ(EditDistance("tiemout", "timeout"), 1);
  EXPECT_EQ(EditDistance("comand", "command"), 1);
  EXPECT_EQ(EditDistance("analyser", "analyzer"), 1);
  EXPECT_EQ(EditDistance("", "abc"), 3);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3);
}

TEST(SuggestTest, SuggestsTheClosestNameWhenItIsALikelyTypo) {
  EXPECT_EQ(ClosestMatch("comand", kKeys), "command");
  EXPECT_EQ(ClosestMatch("dependson", kKeys), "depends_on");
  EXPECT_EQ(ClosestMatch("Timeout", kKeys), "timeout");
  EXPECT_EQ(ClosestMatch("enw", kKeys), "env");
  EXPECT_EQ(ClosestMatch("schedule", kKeys), std::nullopt);
  EXPECT_EQ(ClosestMatch("x", kKeys), std::nullopt);
  EXPECT_EQ(ClosestMatch(std::string(200, 'a'), kKeys), std::nullopt);
  EXPECT_EQ(DidYouMean("comand", kKeys), " (did you mean 'command'?)");
  EXPECT_EQ(DidYouMean("schedule", kKeys), "");
}

}  // namespace
}  // namespace nightshift
