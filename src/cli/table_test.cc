#include "cli/table.h"

#include <gtest/gtest.h>

#include <sstream>

namespace nightshift::cli {
namespace {

TEST(TableTest, StyleWidthComesFromTheTerminalThenColumnsThenADefault) {
  EXPECT_EQ(ChooseStyle(true, 132, "80", nullptr).width, 132u);
  EXPECT_EQ(ChooseStyle(false, 0, "80", nullptr).width, 80u);
  EXPECT_EQ(ChooseStyle(false, 0, "wide", nullptr).width, kDefaultColumns);
  EXPECT_EQ(ChooseStyle(false, 0, nullptr, nullptr).width, kDefaultColumns);
}

TEST(TableTest, ColourOnlyOnATerminalWithoutNoColor) {
  EXPECT_TRUE(ChooseStyle(true, 80, nullptr, nullptr).colour);
  EXPECT_FALSE(ChooseStyle(true, 80, nullptr, "").colour);
  EXPECT_FALSE(ChooseStyle(false, 0, nullptr, nullptr).colour);
}

TEST(TableTest, ColumnsThatFitAreKept) {
  EXPECT_EQ(FitColumns({4, 10, 3}, {4, 6, 3}, 40), (std::vector<size_t>{4, 10, 3}));
}

TEST(TableTest, TheLastColumnShrinksFirstThenTheWidest) {
  // 10 + 20 + 30 + 2 gaps of 2 = 64; width 50 takes 14 from the last column.
  EXPECT_EQ(FitColumns({10, 20, 30}, {10, 6, 6}, 50), (std::vector<size_t>{10, 20, 16}));
  // Width 30: the last column goes down to 6, then the widest (the middle) gives the rest.
  EXPECT_EQ(FitColumns({10, 20, 30}, {10, 6, 6}, 30), (std::vector<size_t>{10, 10, 6}));
}

TEST(TableTest, ColumnsNeverShrinkBelowTheirMinimum) {
  EXPECT_EQ(FitColumns({10, 20, 30}, {10, 6, 6}, 5), (std::vector<size_t>{10, 6, 6}));
}

TEST(TableTest, CutCellsEndInAnEllipsisAndTheFirstColumnStaysWhole) {
  std::ostringstream out;
  PrintTable(out, {"ID", "REASON"}, {{"0123456789abcdef", "waiting for capacity on every compute environment"}},
             OutputStyle{30, false});
  EXPECT_EQ(out.str(), "ID                REASON\n0123456789abcdef  waiting for…\n");
}

TEST(TableTest, StateWordsAreColouredOnlyWhenAllowed) {
  std::ostringstream plain, coloured;
  PrintTable(plain, {"STATUS"}, {{"FAILED"}}, OutputStyle{80, false});
  PrintTable(coloured, {"STATUS"}, {{"FAILED"}}, OutputStyle{80, true});
  EXPECT_EQ(plain.str(), "STATUS\nFAILED\n");
  EXPECT_NE(coloured.str().find("\033[31mFAILED\033[0m"), std::string::npos);
}

TEST(TableTest, AnEmptyHeaderIsNotPrinted) {
  std::ostringstream out;
  PrintTable(out, {"", ""}, {{"status", "RUNNING"}}, OutputStyle{80, false});
  EXPECT_EQ(out.str(), "status  RUNNING\n");
}

TEST(TableTest, WidthCountsCodePointsNotBytes) {
  EXPECT_EQ(DisplayWidth("héllo…"), 6u);
  EXPECT_EQ(Truncate("héllo wörld", 6), "héllo…");
  EXPECT_EQ(Truncate("short", 6), "short");
}

}  // namespace
}  // namespace nightshift::cli
