// ListJobs and its query planning, against a real store.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <set>
#include <tuple>

#include "store/job_list_query.h"
#include "store/sqlite_store.h"
#include "store/store_test_util.h"

namespace nightshift::store {
namespace {

using core::JobState;
using testing::MakeJob;

class ListJobsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SqliteStore::Open(dir_.File("s.db"));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }

  void Commit(std::vector<core::Job> jobs) {
    Status status = store_->Commit({.jobs = std::move(jobs)});
    ASSERT_TRUE(status.ok()) << status.ToString();
  }

  std::vector<std::string> Ids(JobQuery query) {
    Result<JobPage> page = store_->ListJobs(query);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    std::vector<std::string> ids;
    if (page.ok()) {
      for (const core::Job& job : page->jobs) ids.push_back(job.id);
    }
    return ids;
  }

  // Every page of `query`, following the tokens; checks each page's size.
  std::vector<std::string> AllPages(JobQuery query, int* pages = nullptr) {
    std::vector<std::string> ids;
    int count = 0;
    for (;;) {
      Result<JobPage> page = store_->ListJobs(query);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok()) break;
      ++count;
      if (!page->next_token.empty()) {
        EXPECT_EQ(page->jobs.size(), static_cast<size_t>(query.limit));
      }
      for (const core::Job& job : page->jobs) ids.push_back(job.id);
      if (page->next_token.empty()) break;
      query.page_token = page->next_token;
    }
    if (pages != nullptr) *pages = count;
    return ids;
  }

  testing::TempDir dir_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(ListJobsTest, ListsAQueueNewestFirstWithoutArrayChildren) {
  core::Job child = MakeJob("p:0", "q", 50);
  child.parent_id = "p";
  child.array_index = 0;
  Commit({MakeJob("old", "q", 10), MakeJob("new", "q", 30), MakeJob("p", "q", 20),
          MakeJob("other-queue", "r", 40), child});
  EXPECT_EQ(Ids({.queue = "q"}), (std::vector<std::string>{"new", "p", "old"}));
}

TEST_F(ListJobsTest, BreaksCreatedAtTiesByIdDescending) {
  Commit({MakeJob("a", "q", 10), MakeJob("c", "q", 10), MakeJob("b", "q", 10)});
  EXPECT_EQ(Ids({.queue = "q"}), (std::vector<std::string>{"c", "b", "a"}));
}

TEST_F(ListJobsTest, FiltersByOneOrSeveralStates) {
  Commit({MakeJob("r1", "q", 1, JobState::kRunning), MakeJob("s1", "q", 2, JobState::kSucceeded),
          MakeJob("f1", "q", 3, JobState::kFailed), MakeJob("r2", "q", 4, JobState::kRunning),
          MakeJob("p1", "q", 5, JobState::kPending)});
  EXPECT_EQ(Ids({.queue = "q", .states = {JobState::kRunning}}),
            (std::vector<std::string>{"r2", "r1"}));
  EXPECT_EQ(Ids({.queue = "q", .states = {JobState::kSucceeded, JobState::kFailed}}),
            (std::vector<std::string>{"f1", "s1"}));
  EXPECT_EQ(Ids({.queue = "q", .states = {JobState::kRunnable}}), std::vector<std::string>{});
  EXPECT_EQ(Ids({.queue = "q"}).size(), 5u);
}

TEST_F(ListJobsTest, NameFilterIsCaseInsensitiveWithTrailingStarAsPrefix) {
  std::vector<core::Job> jobs = {MakeJob("1", "q", 1), MakeJob("2", "q", 2), MakeJob("3", "q", 3),
                                 MakeJob("4", "q", 4), MakeJob("5", "q", 5)};
  jobs[0].name = "Nightly-ETL";
  jobs[1].name = "nightly-etl";
  jobs[2].name = "nightly-etl-2";
  jobs[3].name = "nightly_x";
  jobs[4].name = "nightlyAx";
  Commit(jobs);
  EXPECT_EQ(Ids({.queue = "q", .name_pattern = "NIGHTLY-etl"}),
            (std::vector<std::string>{"2", "1"}));
  EXPECT_EQ(Ids({.queue = "q", .name_pattern = "nightly-*"}),
            (std::vector<std::string>{"3", "2", "1"}));
  // '_' and '%' are literal characters, not LIKE wildcards.
  EXPECT_EQ(Ids({.queue = "q", .name_pattern = "nightly_*"}), std::vector<std::string>{"4"});
  EXPECT_EQ(Ids({.queue = "q", .name_pattern = "*"}).size(), 5u);
  EXPECT_EQ(Ids({.queue = "q", .states = {JobState::kRunnable}, .name_pattern = "nightly-etl"}),
            (std::vector<std::string>{"2", "1"}));
}

TEST_F(ListJobsTest, DefinitionFilterMatchesAllRevisionsOneRevisionOrAPrefix) {
  std::vector<core::Job> jobs = {MakeJob("1", "q", 1), MakeJob("2", "q", 2), MakeJob("3", "q", 3),
                                 MakeJob("4", "q", 4)};
  jobs[0].definition = "etl:1";
  jobs[1].definition = "etl:12";
  jobs[2].definition = "etl2:1";
  jobs[3].definition = "ETL:1";
  Commit(jobs);
  EXPECT_EQ(Ids({.queue = "q", .definition_pattern = "etl"}), (std::vector<std::string>{"2", "1"}));
  EXPECT_EQ(Ids({.queue = "q", .definition_pattern = "etl:1"}), std::vector<std::string>{"1"});
  EXPECT_EQ(Ids({.queue = "q", .definition_pattern = "etl*"}),
            (std::vector<std::string>{"3", "2", "1"}));
  EXPECT_EQ(Ids({.queue = "q", .definition_pattern = "etl:1*"}),
            (std::vector<std::string>{"2", "1"}));
}

TEST_F(ListJobsTest, FiltersByCreationTimeExclusively) {
  Commit({MakeJob("a", "q", 10), MakeJob("b", "q", 20), MakeJob("c", "q", 30)});
  EXPECT_EQ(Ids({.queue = "q", .created_before = 30}), (std::vector<std::string>{"b", "a"}));
  EXPECT_EQ(Ids({.queue = "q", .created_after = 10}), (std::vector<std::string>{"c", "b"}));
  EXPECT_EQ(Ids({.queue = "q", .created_before = 30, .created_after = 10}),
            std::vector<std::string>{"b"});
}

TEST_F(ListJobsTest, PaginatesAcrossTiesWithoutSkippingOrRepeating) {
  std::vector<core::Job> jobs;
  for (int i = 0; i < 25; ++i) {
    JobState state = i % 3 == 0 ? JobState::kSucceeded : JobState::kRunning;
    jobs.push_back(MakeJob("j" + std::to_string(100 + i), "q", 1000 + i / 7, state));
  }
  Commit(jobs);
  std::vector<std::string> all = Ids({.queue = "q", .limit = 1000});
  ASSERT_EQ(all.size(), 25u);
  for (int limit : {1, 2, 4, 7, 24, 25, 26}) {
    int pages = 0;
    EXPECT_EQ(AllPages({.queue = "q", .limit = limit}, &pages), all) << "limit " << limit;
    EXPECT_EQ(pages, (25 + limit - 1) / limit) << "limit " << limit;
  }
  std::vector<std::string> running =
      AllPages({.queue = "q", .states = {JobState::kRunning}, .limit = 3});
  EXPECT_EQ(running.size(), 16u);
}

TEST_F(ListJobsTest, PagesDoNotShiftWhenNewerJobsArrive) {
  Commit({MakeJob("a", "q", 1), MakeJob("b", "q", 2), MakeJob("c", "q", 3)});
  Result<JobPage> first = store_->ListJobs({.queue = "q", .limit = 2});
  ASSERT_TRUE(first.ok());
  Commit({MakeJob("d", "q", 4)});
  EXPECT_EQ(Ids({.queue = "q", .limit = 2, .page_token = first->next_token}),
            std::vector<std::string>{"a"});
}

TEST_F(ListJobsTest, LimitBelowOneMeansOne) {
  Commit({MakeJob("a", "q", 1), MakeJob("b", "q", 2)});
  Result<JobPage> page = store_->ListJobs({.queue = "q", .limit = 0});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->jobs.size(), 1u);
  EXPECT_FALSE(page->next_token.empty());
}

// Jobs that differ in everything a query filters on.
std::vector<core::Job> VariedJobs() {
  const std::array names = {"Nightly-ETL", "nightly-etl", "nightly-etl-2", "nightly_x", "other"};
  const std::array definitions = {"etl:1", "etl:12", "etl2:1", "ETL:1"};
  const std::array states = {JobState::kRunnable, JobState::kRunning, JobState::kSucceeded,
                             JobState::kFailed};
  std::vector<core::Job> jobs;
  for (int i = 0; i < 60; ++i) {
    core::Job job =
        MakeJob("j" + std::to_string(i), i % 7 == 0 ? "r" : "q", 100 + i / 3, states[i % 4]);
    job.name = names[i % names.size()];
    job.definition = definitions[i % definitions.size()];
    if (i % 5 == 0) {
      job.parent_id = "j1";
      job.id = "j1:" + std::to_string(i);
    }
    jobs.push_back(std::move(job));
  }
  return jobs;
}

std::vector<JobQuery> VariedQueries() {
  return {{.queue = "q"},
          {.queue = "r"},
          {.array_parent = "j1"},
          {.queue = "q", .states = {JobState::kSucceeded}},
          {.queue = "q", .states = {JobState::kRunning, JobState::kFailed}},
          {.queue = "q", .name_pattern = "NIGHTLY-etl"},
          {.queue = "q", .name_pattern = "nightly-*"},
          {.queue = "q", .name_pattern = "nightly_*"},
          {.queue = "q", .name_pattern = "*"},
          {.queue = "q", .definition_pattern = "etl"},
          {.queue = "q", .definition_pattern = "etl:1"},
          {.queue = "q", .definition_pattern = "etl*"},
          {.queue = "q", .definition_pattern = "etl:1*"},
          {.queue = "q", .created_before = 110, .created_after = 103},
          {.array_parent = "j1", .states = {JobState::kRunnable}, .name_pattern = "nightly-etl"}};
}

std::vector<std::string> InPageOrder(std::vector<core::Job> jobs) {
  std::ranges::sort(jobs, [](const core::Job& a, const core::Job& b) {
    return std::tie(a.created_at, a.id) > std::tie(b.created_at, b.id);
  });
  std::vector<std::string> ids;
  for (const core::Job& job : jobs) ids.push_back(job.id);
  return ids;
}

TEST_F(ListJobsTest, MatchesJobQueryAgreesWithTheStatement) {
  const std::vector<core::Job> jobs = VariedJobs();
  Commit(jobs);
  for (const JobQuery& query : VariedQueries()) {
    std::vector<core::Job> matching;
    for (const core::Job& job : jobs) {
      if (MatchesJobQuery(query, job)) matching.push_back(job);
    }
    JobQuery all = query;
    all.limit = 1000;
    const std::vector<std::string> listed = Ids(all);
    EXPECT_FALSE(listed.empty());
    EXPECT_EQ(InPageOrder(matching), listed)
        << query.queue << query.array_parent << " name " << query.name_pattern << " def "
        << query.definition_pattern;
  }
}

// The store holds an older version of some jobs; a page of the store with the newer versions
// merged in (as the engine does with its uncommitted changes) lists every job of the query as it
// is now, once, whatever the page size.
TEST_F(ListJobsTest, PagesWithNewerVersionsMergedInListEachMatchingJobOnce) {
  std::vector<core::Job> now = VariedJobs();
  std::vector<core::Job> stored = now;
  std::vector<core::Job> newer;
  for (size_t i = 0; i < now.size(); i += 2) {  // every other job changed state since its commit
    now[i].state = now[i].state == JobState::kSucceeded ? JobState::kRunning : JobState::kSucceeded;
    newer.push_back(now[i]);
  }
  Commit(stored);
  for (JobQuery query : VariedQueries()) {
    std::vector<core::Job> matching;
    for (const core::Job& job : now) {
      if (MatchesJobQuery(query, job)) matching.push_back(job);
    }
    for (int limit : {1, 3, 7, 100}) {
      query.limit = limit;
      query.page_token.clear();
      std::vector<std::string> listed;
      for (int pages = 0; pages < 100; ++pages) {
        Result<JobPage> page = store_->ListJobs(query);
        ASSERT_TRUE(page.ok()) << page.status().ToString();
        std::erase_if(page->jobs, [&](core::Job& job) {
          for (const core::Job& n : newer) {
            if (n.id == job.id) job = n;
          }
          return !MatchesJobQuery(query, job);
        });
        std::vector<core::Job> extra;
        for (const core::Job& n : newer) {
          if (MatchesJobQuery(query, n)) extra.push_back(n);
        }
        MergeIntoPage(query, extra, *page);
        EXPECT_LE(page->jobs.size(), static_cast<size_t>(limit));
        for (const core::Job& job : page->jobs) listed.push_back(job.id);
        if (page->next_token.empty()) break;
        query.page_token = page->next_token;
      }
      EXPECT_EQ(listed, InPageOrder(matching))
          << "limit " << limit << " name " << query.name_pattern;
    }
  }
}

TEST_F(ListJobsTest, InvalidTokenIsInvalidArgument) {
  Result<JobPage> page = store_->ListJobs({.queue = "q", .page_token = "not-a-token"});
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(page.status().message(), "invalid nextToken");
}

TEST_F(ListJobsTest, ArrayOf100000ChildrenInOneBatchListsByParent) {
  constexpr int kChildren = 100'000;
  auto spec = std::make_shared<const core::JobSpec>(testing::FullSpec());
  core::Job parent = MakeJob("parent", "q", 5000);
  parent.array_size = kChildren;
  parent.spec = spec;
  WriteBatch batch{.jobs = {parent}};
  batch.jobs.reserve(kChildren + 1);
  for (int i = 0; i < kChildren; ++i) {
    core::Job child = parent;
    child.id = "parent:" + std::to_string(i);
    child.array_size = 0;
    child.array_index = i;
    child.parent_id = "parent";
    child.state = i < 10 ? JobState::kRunning : JobState::kPending;
    batch.jobs.push_back(std::move(child));
  }
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(store_->Commit(batch).ok());
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start);
  RecordProperty("commit_100000_children_ms", static_cast<int>(ms.count()));

  int pages = 0;
  std::vector<std::string> children = AllPages({.array_parent = "parent", .limit = 1000}, &pages);
  EXPECT_EQ(pages, 100);
  EXPECT_EQ(children.size(), static_cast<size_t>(kChildren));
  EXPECT_EQ(std::set<std::string>(children.begin(), children.end()).size(),
            static_cast<size_t>(kChildren));
  EXPECT_EQ(AllPages({.array_parent = "parent", .states = {JobState::kRunning}, .limit = 3}).size(),
            10u);
  EXPECT_EQ(Ids({.queue = "q"}), std::vector<std::string>{"parent"});

  auto child = store_->GetJob("parent:99999");
  ASSERT_TRUE(child.ok() && child->has_value());
  EXPECT_EQ((*child)->array_index, 99'999);
  testing::ExpectSpecEq(*spec, *(*child)->spec);
}

TEST_F(ListJobsTest, CountsTopLevelJobsByQueueAndState) {
  core::Job child = MakeJob("p:0", "q1", 4, JobState::kRunning);
  child.parent_id = "p";
  child.array_index = 0;
  Commit({MakeJob("a", "q1", 1, JobState::kRunning), MakeJob("b", "q1", 2, JobState::kRunning),
          MakeJob("c", "q1", 3, JobState::kFailed), MakeJob("d", "q2", 3, JobState::kSucceeded), child});
  Result<std::vector<JobCount>> counts = store_->CountJobs();
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  std::vector<std::tuple<std::string, JobState, int64_t>> got;
  for (const JobCount& c : *counts) got.emplace_back(c.queue, c.state, c.count);
  // States sort by their names: FAILED before RUNNING.
  EXPECT_EQ(got, (std::vector<std::tuple<std::string, JobState, int64_t>>{
                     {"q1", JobState::kFailed, 1}, {"q1", JobState::kRunning, 2}, {"q2", JobState::kSucceeded, 1}}));
}

}  // namespace
}  // namespace nightshift::store
