// ListRuns and GetRun against a real store, and the runs table's page tokens and query plans.
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>

#include "store/page_token.h"
#include "store/pipeline_test_util.h"
#include "store/runs_table.h"
#include "store/sqlite_store.h"
#include "store/store_test_util.h"

namespace nightshift::store {
namespace {

using core::RunState;
using testing::MakeRun;

// "r<seq>". Built by append: GCC 12 warns falsely (-Wrestrict) on "r" + std::to_string(seq).
std::string RunId(int seq) { return std::string("r").append(std::to_string(seq)); }

class ListRunsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SqliteStore::Open(dir_.File("s.db"));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }

  void Commit(std::vector<core::PipelineRun> runs) {
    Status status = store_->Commit({.runs = std::move(runs)});
    ASSERT_TRUE(status.ok()) << status.ToString();
  }

  // The ids of the first page of `query`.
  std::vector<std::string> Ids(const RunQuery& query) {
    Result<RunPage> page = store_->ListRuns(query);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    std::vector<std::string> ids;
    if (page.ok()) {
      for (const core::PipelineRun& run : page->runs) ids.push_back(run.id);
    }
    return ids;
  }

  // Every page of `query`, following the tokens; checks each page's size.
  std::vector<std::string> AllPages(RunQuery query, int* pages) {
    std::vector<std::string> ids;
    *pages = 0;
    for (;;) {
      Result<RunPage> page = store_->ListRuns(query);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok() || ++*pages > 100) break;
      if (!page->next_token.empty()) {
        EXPECT_EQ(page->runs.size(), static_cast<size_t>(std::max(query.limit, 1)));
      }
      for (const core::PipelineRun& run : page->runs) ids.push_back(run.id);
      if (page->next_token.empty()) break;
      query.page_token = page->next_token;
    }
    return ids;
  }

  testing::TempDir dir_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(ListRunsTest, ListsNewestSeqFirstAcrossPipelinesAndStates) {
  Commit({MakeRun("s2", "a", 2), MakeRun("s5", "b", 5, RunState::kSucceeded),
          MakeRun("s1", "b", 1, RunState::kFailed), MakeRun("s4", "a", 4, RunState::kCancelled),
          MakeRun("s3", "c", 3)});
  EXPECT_EQ(Ids({}), (std::vector<std::string>{"s5", "s4", "s3", "s2", "s1"}));
}

// "etl2" and "et" share a prefix with "etl": a filter by prefix or range would take them too.
TEST_F(ListRunsTest, ListsOnlyTheGivenPipeline) {
  Commit({MakeRun("e1", "etl", 1), MakeRun("x", "etl2", 2), MakeRun("e3", "etl", 3),
          MakeRun("y", "et", 4), MakeRun("z", "etl/sub", 5)});
  EXPECT_EQ(Ids({.pipeline = "etl"}), (std::vector<std::string>{"e3", "e1"}));
  EXPECT_TRUE(Ids({.pipeline = "none"}).empty());
}

// The first page has no upper bound: a run at the highest seq the column holds is on it.
TEST_F(ListRunsTest, FirstPageStartsAtTheHighestPossibleSeq) {
  constexpr uint64_t kTop = std::numeric_limits<int64_t>::max();
  Commit({MakeRun("a", "p", kTop), MakeRun("b", "p", kTop), MakeRun("c", "p", 1)});
  EXPECT_EQ(Ids({}), (std::vector<std::string>{"b", "a", "c"}));
  EXPECT_EQ(Ids({.pipeline = "p"}), (std::vector<std::string>{"b", "a", "c"}));
}

TEST_F(ListRunsTest, EmptyStoreHasAnEmptyLastPage) {
  Result<RunPage> page = store_->ListRuns({});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_TRUE(page->runs.empty());
  EXPECT_TRUE(page->next_token.empty());
}

TEST_F(ListRunsTest, PagesCoverEveryRunOnceInOrder) {
  std::vector<core::PipelineRun> runs;
  std::vector<std::string> expected;
  for (int seq = 20; seq >= 1; --seq) {
    runs.push_back(MakeRun(RunId(seq), seq % 2 ? "odd" : "even", seq));
    expected.push_back(runs.back().id);
  }
  Commit(runs);
  int pages = 0;
  EXPECT_EQ(AllPages({.limit = 3}, &pages), expected);
  EXPECT_EQ(pages, 7);  // 20 runs: 6 pages of 3 and one of 2
  EXPECT_EQ(AllPages({.limit = 5}, &pages), expected);
  EXPECT_EQ(pages, 4);                                    // an exact multiple: no empty last page
  EXPECT_EQ(AllPages({.limit = 0}, &pages).size(), 20u);  // limit 0 means 1
  EXPECT_EQ(pages, 20);
}

TEST_F(ListRunsTest, PagesOfOnePipelineCoverItsRunsOnceInOrder) {
  std::vector<core::PipelineRun> runs;
  for (int seq = 1; seq <= 20; ++seq) {
    runs.push_back(MakeRun(RunId(seq), seq % 3 == 0 ? "third" : "other", seq));
  }
  Commit(runs);
  int pages = 0;
  EXPECT_EQ(AllPages({.pipeline = "third", .limit = 2}, &pages),
            (std::vector<std::string>{"r18", "r15", "r12", "r9", "r6", "r3"}));
  EXPECT_EQ(pages, 3);
}

// The engine never gives two runs one seq; if it did, the id would order them and pages would
// still neither skip nor repeat one.
TEST_F(ListRunsTest, RunsWithEqualSeqsAreOrderedByIdAcrossPages) {
  Commit({MakeRun("a", "p", 5), MakeRun("c", "p", 5), MakeRun("b", "p", 5), MakeRun("d", "p", 6),
          MakeRun("e", "p", 4)});
  int pages = 0;
  EXPECT_EQ(AllPages({.limit = 2}, &pages), (std::vector<std::string>{"d", "c", "b", "a", "e"}));
  EXPECT_EQ(AllPages({.pipeline = "p", .limit = 1}, &pages),
            (std::vector<std::string>{"d", "c", "b", "a", "e"}));
}

// Keyset pagination: runs created, and runs updated, between two requests do not shift the
// next page.
TEST_F(ListRunsTest, RunsCommittedBetweenPagesDoNotShiftThem) {
  Commit(
      {MakeRun("r4", "p", 4), MakeRun("r3", "p", 3), MakeRun("r2", "p", 2), MakeRun("r1", "p", 1)});
  Result<RunPage> first = store_->ListRuns({.limit = 2});
  ASSERT_TRUE(first.ok());
  ASSERT_FALSE(first->next_token.empty());
  Commit({MakeRun("r5", "p", 5), MakeRun("r3", "p", 3, RunState::kSucceeded)});
  Result<RunPage> second = store_->ListRuns({.limit = 10, .page_token = first->next_token});
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->runs.size(), 2u);
  EXPECT_EQ(second->runs[0].id, "r2");
  EXPECT_EQ(second->runs[1].id, "r1");
  EXPECT_TRUE(second->next_token.empty());
}

TEST_F(ListRunsTest, ListedRunsAreWhole) {
  core::PipelineRun full = testing::FullRun();
  Commit({full});
  Result<RunPage> page = store_->ListRuns({.pipeline = full.pipeline});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->runs.size(), 1u);
  testing::ExpectRunEq(full, page->runs[0]);
}

TEST_F(ListRunsTest, InvalidTokenIsInvalidArgument) {
  const std::string tokens[] = {
      "not-a-token",     "abc",  // odd length
      HexEncode("12"),   HexEncode("|r1"),
      HexEncode("12|"),  HexEncode("x|r1"),
      HexEncode("1x|r"), HexEncode("99999999999999999999|r1"),
  };
  for (const std::string& token : tokens) {
    for (const char* pipeline : {"", "p"}) {
      Result<RunPage> page = store_->ListRuns({.pipeline = pipeline, .page_token = token});
      ASSERT_FALSE(page.ok()) << token;
      EXPECT_EQ(page.status().code(), StatusCode::kInvalidArgument) << token;
      EXPECT_EQ(page.status().message(), "invalid nextToken");
    }
  }
}

TEST_F(ListRunsTest, GetRunFindsARunByItsIdOnly) {
  core::PipelineRun full = testing::FullRun();
  Commit({full, MakeRun(full.id + "-2", full.pipeline, full.seq + 1)});
  Result<std::optional<core::PipelineRun>> found = store_->GetRun(full.id);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_TRUE(found->has_value());
  testing::ExpectRunEq(full, **found);

  for (const std::string& id : {std::string("run-"), full.id + "-3", std::string()}) {
    Result<std::optional<core::PipelineRun>> missing = store_->GetRun(id);
    ASSERT_TRUE(missing.ok());
    EXPECT_FALSE(missing->has_value()) << id;
  }
}

TEST(RunPageTokenTest, RoundTripsExtremeSeqsAndIdsWithBars) {
  for (int64_t seq : {std::numeric_limits<int64_t>::min(), int64_t{-1}, int64_t{0},
                      int64_t{123'456'789}, std::numeric_limits<int64_t>::max()}) {
    for (const std::string& id : {std::string("r"), std::string("a|b||"), std::string("nul\0id", 6),
                                  std::string("\xE2\x9C\x93")}) {
      Result<RunCursor> cursor = DecodeRunPageToken(EncodeRunPageToken({seq, id}));
      ASSERT_TRUE(cursor.ok()) << seq << " " << id;
      EXPECT_EQ(cursor->seq, seq);
      EXPECT_EQ(cursor->id, id);
    }
  }
}

// The plan of `sql` on a fresh store: one line per step.
std::string QueryPlan(std::string_view sql) {
  testing::TempDir dir;
  std::string path = dir.File("s.db");
  EXPECT_TRUE(SqliteStore::Open(path).ok());
  Result<Database> db = Database::Open(path, "");
  EXPECT_TRUE(db.ok());
  if (!db.ok()) return "";
  Result<Statement> plan = db->Prepare("EXPLAIN QUERY PLAN " + std::string(sql));
  EXPECT_TRUE(plan.ok()) << plan.status().ToString();
  if (!plan.ok()) return "";
  std::string lines;
  for (;;) {
    Result<bool> row = plan->Step();
    EXPECT_TRUE(row.ok());
    if (!row.ok() || !*row) return lines;
    lines += std::string(plan->ColumnText(3)) + "\n";
  }
}

// Each ListRuns statement reads one range of its index, backwards, in page order: a page costs
// its own rows, not every run ever made.
TEST(RunsTableTest, ListRunsPlansReadOneIndexRangeWithoutSorting) {
  std::string all = QueryPlan(kListRunsSql);
  EXPECT_NE(all.find("SEARCH runs USING INDEX runs_by_seq (seq<?)"), std::string::npos) << all;
  EXPECT_EQ(all.find("TEMP B-TREE"), std::string::npos) << all;

  std::string one = QueryPlan(kListRunsOfPipelineSql);
  EXPECT_NE(one.find("SEARCH runs USING INDEX runs_by_pipeline (pipeline=? AND seq<?)"),
            std::string::npos)
      << one;
  EXPECT_EQ(one.find("TEMP B-TREE"), std::string::npos) << one;
}

// Load() reads the partial index of running runs, not the table.
TEST(RunsTableTest, ActiveRunsPlanReadsOnlyTheRunningIndex) {
  std::string plan = QueryPlan(kSelectActiveRunsSql);
  EXPECT_NE(plan.find("SCAN runs USING INDEX runs_running"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
}

TEST(RunsTableTest, GetRunPlanIsOneLookupOfThePrimaryKey) {
  std::string plan = QueryPlan(kSelectRunSql);
  EXPECT_NE(plan.find("SEARCH runs USING INDEX sqlite_autoindex_runs_1 (id=?)"), std::string::npos)
      << plan;
}

}  // namespace
}  // namespace nightshift::store
