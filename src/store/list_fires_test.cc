// ListFires and GetFire against a real store, and the fires table's page tokens.
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>

#include "store/fires_table.h"
#include "store/page_token.h"
#include "store/sqlite_store.h"
#include "store/store_test_util.h"

namespace nightshift::store {
namespace {

using core::FireTrigger;
using testing::MakeFire;

// "logical_time/s|m|b", s, m, b standing for the schedule, manual and backfill triggers.
std::string Label(const core::Fire& fire) {
  const char* trigger = fire.trigger == FireTrigger::kSchedule ? "s"
                        : fire.trigger == FireTrigger::kManual ? "m"
                                                               : "b";
  return std::to_string(fire.logical_time) + "/" + trigger;
}

class ListFiresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SqliteStore::Open(dir_.File("s.db"));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }

  void Commit(std::vector<core::Fire> fires) {
    Status status = store_->Commit({.fires = std::move(fires)});
    ASSERT_TRUE(status.ok()) << status.ToString();
  }

  std::vector<std::string> Labels(const FireQuery& query) {
    Result<FirePage> page = store_->ListFires(query);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    std::vector<std::string> labels;
    if (page.ok()) {
      for (const core::Fire& fire : page->fires) labels.push_back(Label(fire));
    }
    return labels;
  }

  // Every page of `query`, following the tokens; checks each page's size.
  std::vector<std::string> AllPages(FireQuery query, int* pages) {
    std::vector<std::string> labels;
    *pages = 0;
    for (;;) {
      Result<FirePage> page = store_->ListFires(query);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok() || ++*pages > 100) break;
      if (!page->next_token.empty()) {
        EXPECT_EQ(page->fires.size(), static_cast<size_t>(std::max(query.limit, 1)));
      }
      for (const core::Fire& fire : page->fires) labels.push_back(Label(fire));
      if (page->next_token.empty()) break;
      query.page_token = page->next_token;
    }
    return labels;
  }

  testing::TempDir dir_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(ListFiresTest, ListsNewestLogicalTimeFirstThenTrigger) {
  Commit({MakeFire("g/s", 10), MakeFire("g/s", 30, FireTrigger::kBackfill),
          MakeFire("g/s", 30, FireTrigger::kSchedule), MakeFire("g/s", 20),
          MakeFire("g/s", 30, FireTrigger::kManual), MakeFire("g/s", -5)});
  EXPECT_EQ(Labels({.schedule = "g/s"}),
            (std::vector<std::string>{"30/s", "30/m", "30/b", "20/s", "10/s", "-5/s"}));
}

TEST_F(ListFiresTest, ListsOnlyTheGivenSchedule) {
  Commit({MakeFire("g/s", 1), MakeFire("g/s2", 2), MakeFire("g/s/x", 3), MakeFire("g/r", 4)});
  EXPECT_EQ(Labels({.schedule = "g/s"}), (std::vector<std::string>{"1/s"}));
  EXPECT_TRUE(Labels({.schedule = "g/none"}).empty());
}

TEST_F(ListFiresTest, BoundsAreInclusive) {
  Commit({MakeFire("g/s", 10), MakeFire("g/s", 20), MakeFire("g/s", 20, FireTrigger::kManual),
          MakeFire("g/s", 30), MakeFire("g/s", 40)});
  EXPECT_EQ(Labels({.schedule = "g/s", .logical_from = 20, .logical_to = 30}),
            (std::vector<std::string>{"30/s", "20/s", "20/m"}));
  EXPECT_EQ(Labels({.schedule = "g/s", .logical_from = 21}),
            (std::vector<std::string>{"40/s", "30/s"}));
  EXPECT_EQ(Labels({.schedule = "g/s", .logical_to = 19}), (std::vector<std::string>{"10/s"}));
  EXPECT_TRUE(Labels({.schedule = "g/s", .logical_from = 31, .logical_to = 39}).empty());
  EXPECT_TRUE(Labels({.schedule = "g/s", .logical_from = 30, .logical_to = 20}).empty());
}

// Ties of logical time span page boundaries; every fire comes exactly once, in order.
TEST_F(ListFiresTest, PagesCoverEveryFireOnceInOrder) {
  std::vector<core::Fire> fires;
  std::vector<std::string> expected;
  for (int t = 9; t >= 0; --t) {
    for (FireTrigger trigger : {FireTrigger::kSchedule, FireTrigger::kManual}) {
      fires.push_back(MakeFire("g/s", t, trigger));
      expected.push_back(Label(fires.back()));
    }
  }
  Commit(fires);
  int pages = 0;
  EXPECT_EQ(AllPages({.schedule = "g/s", .limit = 3}, &pages), expected);
  EXPECT_EQ(pages, 7);  // 20 fires: 6 pages of 3 and one of 2
  EXPECT_EQ(AllPages({.schedule = "g/s", .limit = 5}, &pages), expected);
  EXPECT_EQ(pages, 4);  // an exact multiple: no empty last page
  EXPECT_EQ(AllPages({.schedule = "g/s", .limit = 0}, &pages).size(), 20u);  // limit 0 means 1
  EXPECT_EQ(pages, 20);
}

TEST_F(ListFiresTest, PagesStayWithinTheBounds) {
  std::vector<core::Fire> fires;
  for (int t = 0; t < 20; ++t) fires.push_back(MakeFire("g/s", t));
  Commit(fires);
  int pages = 0;
  EXPECT_EQ(AllPages({.schedule = "g/s", .logical_from = 5, .logical_to = 11, .limit = 2}, &pages),
            (std::vector<std::string>{"11/s", "10/s", "9/s", "8/s", "7/s", "6/s", "5/s"}));
  EXPECT_EQ(pages, 4);
}

// Keyset pagination: newer fires committed between two requests do not shift the next page.
TEST_F(ListFiresTest, FiresCommittedBetweenPagesDoNotShiftThem) {
  Commit({MakeFire("g/s", 50), MakeFire("g/s", 40), MakeFire("g/s", 30), MakeFire("g/s", 20)});
  Result<FirePage> first = store_->ListFires({.schedule = "g/s", .limit = 2});
  ASSERT_TRUE(first.ok());
  ASSERT_FALSE(first->next_token.empty());
  Commit({MakeFire("g/s", 60), MakeFire("g/s", 45), MakeFire("g/s", 40, FireTrigger::kBackfill)});
  EXPECT_EQ(Labels({.schedule = "g/s", .limit = 10, .page_token = first->next_token}),
            (std::vector<std::string>{"40/b", "30/s", "20/s"}));
}

TEST_F(ListFiresTest, InvalidTokenIsInvalidArgument) {
  const std::string tokens[] = {
      "not-a-token",       "abc",  // odd length
      HexEncode("12"),     HexEncode("|0"),
      HexEncode("12|"),    HexEncode("x|0"),
      HexEncode("12|0|1"), HexEncode("12|9"),  // no such trigger
      HexEncode("12|-1"),  HexEncode("99999999999999999999|0"),
  };
  for (const std::string& token : tokens) {
    Result<FirePage> page = store_->ListFires({.schedule = "g/s", .page_token = token});
    ASSERT_FALSE(page.ok()) << token;
    EXPECT_EQ(page.status().code(), StatusCode::kInvalidArgument) << token;
    EXPECT_EQ(page.status().message(), "invalid nextToken");
  }
}

TEST_F(ListFiresTest, QueryWithoutAScheduleIsInvalidArgument) {
  Result<FirePage> page = store_->ListFires({});
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ListFiresTest, GetFireFindsAFireByItsWholeKeyOnly) {
  core::Fire fire = testing::FullFire();
  Commit({fire, MakeFire(fire.schedule, fire.logical_time + 1, fire.trigger)});
  Result<std::optional<core::Fire>> found =
      store_->GetFire(fire.schedule, fire.logical_time, fire.trigger);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_TRUE(found->has_value());
  testing::ExpectFireEq(fire, **found);

  const std::tuple<std::string, TimeMs, FireTrigger> misses[] = {
      {fire.schedule, fire.logical_time, FireTrigger::kSchedule},
      {fire.schedule, fire.logical_time - 1, fire.trigger},
      {"etl/other", fire.logical_time, fire.trigger},
  };
  for (const auto& [schedule, logical_time, trigger] : misses) {
    Result<std::optional<core::Fire>> missing = store_->GetFire(schedule, logical_time, trigger);
    ASSERT_TRUE(missing.ok());
    EXPECT_FALSE(missing->has_value()) << schedule << " " << logical_time;
  }
}

TEST(FirePageTokenTest, RoundTripsEveryTriggerAndExtremeTimes) {
  for (TimeMs t : {std::numeric_limits<TimeMs>::min(), TimeMs{-1}, TimeMs{0},
                   TimeMs{1'700'000'000'000}, std::numeric_limits<TimeMs>::max()}) {
    for (FireTrigger trigger :
         {FireTrigger::kSchedule, FireTrigger::kManual, FireTrigger::kBackfill}) {
      Result<FireCursor> cursor = DecodeFirePageToken(EncodeFirePageToken({t, trigger}));
      ASSERT_TRUE(cursor.ok()) << t;
      EXPECT_EQ(cursor->logical_time, t);
      EXPECT_EQ(cursor->trigger, trigger);
    }
  }
}

// The statement reads one range of the fires table's primary key, in its stored order: a page
// costs its own rows, not the schedule's whole history.
TEST(FiresTableTest, ListFiresPlanIsOneRangeOfThePrimaryKeyWithoutSorting) {
  testing::TempDir dir;
  std::string path = dir.File("s.db");
  ASSERT_TRUE(SqliteStore::Open(path).ok());
  Result<Database> db = Database::Open(path, "");
  ASSERT_TRUE(db.ok());
  Result<Statement> plan = db->Prepare("EXPLAIN QUERY PLAN " + std::string(kListFiresSql));
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  std::string lines;
  for (;;) {
    Result<bool> row = plan->Step();
    ASSERT_TRUE(row.ok());
    if (!*row) break;
    lines += std::string(plan->ColumnText(3)) + "\n";
  }
  EXPECT_NE(lines.find("SEARCH fires USING PRIMARY KEY (schedule=? AND logical_time>? AND "
                       "logical_time<?)"),
            std::string::npos)
      << lines;
  EXPECT_EQ(lines.find("TEMP B-TREE"), std::string::npos) << lines;
}

}  // namespace
}  // namespace nightshift::store
