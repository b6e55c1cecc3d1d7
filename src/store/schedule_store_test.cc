// Schedules and fires through SqliteStore::Commit and Load, against a real store.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <utility>

#include "store/faulty_vfs.h"
#include "store/sqlite_store.h"
#include "store/store_test_util.h"

namespace nightshift::store {
namespace {

using core::FireTrigger;
using testing::MakeFire;
using testing::OpenOrDie;
using testing::TempDir;

core::Schedule MakeSchedule(const std::string& group, const std::string& name) {
  core::Schedule schedule;
  schedule.group = group;
  schedule.name = name;
  schedule.expression = "rate(1 minute)";
  return schedule;
}

// Every fire of `schedule`, as "logical_time/trigger/run_id", newest first.
std::vector<std::string> Fires(SqliteStore& store, const std::string& schedule) {
  Result<FirePage> page = store.ListFires({.schedule = schedule, .limit = 1000});
  EXPECT_TRUE(page.ok()) << page.status().ToString();
  std::vector<std::string> out;
  if (!page.ok()) return out;
  EXPECT_TRUE(page->next_token.empty());
  for (const core::Fire& fire : page->fires) {
    out.push_back(std::to_string(fire.logical_time) + "/" +
                  std::to_string(static_cast<int>(fire.trigger)) + "/" + fire.run_id);
  }
  return out;
}

std::vector<std::string> ScheduleNames(SqliteStore& store) {
  Result<Snapshot> snapshot = store.Load();
  EXPECT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  std::vector<std::string> names;
  if (snapshot.ok()) {
    for (const core::Schedule& s : snapshot->schedules) names.push_back(core::ScheduleKey(s));
  }
  return names;
}

class ScheduleStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenOrDie(path_);
    ASSERT_NE(store_, nullptr);
  }

  void Commit(const WriteBatch& batch) {
    Status status = store_->Commit(batch);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }

  TempDir dir_;
  std::string path_ = dir_.File("s.db");
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(ScheduleStoreTest, CommitAndLoadRoundTripSchedulesAcrossAReopen) {
  core::Schedule plain = MakeSchedule("default", "a-plain-one");
  Commit({.schedules = {testing::FullSchedule(), plain}});
  store_.reset();
  store_ = OpenOrDie(path_);
  Result<Snapshot> snapshot = store_->Load();
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  ASSERT_EQ(snapshot->schedules.size(), 2u);  // in key order: "default/..." < "etl/..."
  testing::ExpectScheduleEq(plain, snapshot->schedules[0]);
  testing::ExpectScheduleEq(testing::FullSchedule(), snapshot->schedules[1]);
}

TEST_F(ScheduleStoreTest, UpsertReplacesTheWholeSchedule) {
  Commit({.schedules = {testing::FullSchedule()}});
  core::Schedule replacement = MakeSchedule("etl", "nightly");  // same key, defaults elsewhere
  replacement.cursor = 99;
  Commit({.schedules = {replacement}});
  Result<Snapshot> snapshot = store_->Load();
  ASSERT_TRUE(snapshot.ok());
  ASSERT_EQ(snapshot->schedules.size(), 1u);
  testing::ExpectScheduleEq(replacement, snapshot->schedules[0]);
}

TEST_F(ScheduleStoreTest, LaterEntryForTheSameScheduleWinsWithinABatch) {
  core::Schedule first = MakeSchedule("g", "s");
  core::Schedule second = first;
  second.cursor = 2;
  Commit({.schedules = {first, second}});
  Result<Snapshot> snapshot = store_->Load();
  ASSERT_TRUE(snapshot.ok());
  ASSERT_EQ(snapshot->schedules.size(), 1u);
  EXPECT_EQ(snapshot->schedules[0].cursor, 2);
}

// "g/s2" and "g/s/x" start with "g/s": a deletion by prefix or range would take them too.
TEST_F(ScheduleStoreTest, DeletingAScheduleDeletesItsFiresAndNoOtherSchedules) {
  Commit({.schedules = {MakeSchedule("g", "s"), MakeSchedule("g", "s2"), MakeSchedule("g", "s/x")},
          .fires = {MakeFire("g/s", 1), MakeFire("g/s", 2, FireTrigger::kManual),
                    MakeFire("g/s2", 1), MakeFire("g/s/x", 1)}});
  Commit({.deleted_schedules = {"g/s", "never/existed"}});
  EXPECT_EQ(ScheduleNames(*store_), (std::vector<std::string>{"g/s/x", "g/s2"}));
  EXPECT_TRUE(Fires(*store_, "g/s").empty());
  EXPECT_EQ(Fires(*store_, "g/s2"), (std::vector<std::string>{"1/0/"}));
  EXPECT_EQ(Fires(*store_, "g/s/x"), (std::vector<std::string>{"1/0/"}));
}

TEST_F(ScheduleStoreTest, ScheduleDeletedAndRecreatedInOneBatchKeepsOnlyTheBatchsFires) {
  Commit({.schedules = {MakeSchedule("g", "s")}, .fires = {MakeFire("g/s", 1, {}, "old")}});
  core::Schedule recreated = MakeSchedule("g", "s");
  recreated.description = "recreated";
  Commit({.schedules = {recreated},
          .deleted_schedules = {"g/s"},
          .fires = {MakeFire("g/s", 5, {}, "new")}});
  Result<Snapshot> snapshot = store_->Load();
  ASSERT_TRUE(snapshot.ok());
  ASSERT_EQ(snapshot->schedules.size(), 1u);
  EXPECT_EQ(snapshot->schedules[0].description, "recreated");
  EXPECT_EQ(Fires(*store_, "g/s"), (std::vector<std::string>{"5/0/new"}));
}

TEST_F(ScheduleStoreTest, SameFireKeyInTwoCommitsLeavesOneRowTheLater) {
  Commit({.fires = {MakeFire("g/s", 60'000, FireTrigger::kSchedule, "first")}});
  core::Fire again = testing::FullFire();
  again.schedule = "g/s";
  again.logical_time = 60'000;
  again.trigger = FireTrigger::kSchedule;
  Commit({.fires = {again}});
  EXPECT_EQ(Fires(*store_, "g/s"), (std::vector<std::string>{"60000/0/" + again.run_id}));
  Result<std::optional<core::Fire>> stored = store_->GetFire("g/s", 60'000, FireTrigger::kSchedule);
  ASSERT_TRUE(stored.ok());
  ASSERT_TRUE(stored->has_value());
  testing::ExpectFireEq(again, **stored);
}

TEST_F(ScheduleStoreTest, SameLogicalTimeWithDifferentTriggersLeavesTwoRows) {
  Commit({.fires = {MakeFire("g/s", 60'000, FireTrigger::kSchedule, "scheduled")}});
  Commit({.fires = {MakeFire("g/s", 60'000, FireTrigger::kManual, "manual")}});
  EXPECT_EQ(Fires(*store_, "g/s"),
            (std::vector<std::string>{"60000/0/scheduled", "60000/1/manual"}));
}

// A constraint of the schema (a fire's schedule may not be empty) fails the batch after its
// schedules, a deletion and other fires were written: none of it may be stored.
TEST_F(ScheduleStoreTest, FailedBatchStoresNoScheduleFireOrJob) {
  Commit({.schedules = {MakeSchedule("g", "kept")}, .fires = {MakeFire("g/kept", 1)}});
  WriteBatch batch{.jobs = {testing::MakeJob("j", "q", 1)},
                   .schedules = {MakeSchedule("g", "new")},
                   .deleted_schedules = {"g/kept"},
                   .fires = {MakeFire("g/new", 1), MakeFire("", 2)}};
  Status status = store_->Commit(batch);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_NE(status.message().find("CHECK constraint failed"), std::string::npos)
      << status.message();
  EXPECT_EQ(ScheduleNames(*store_), (std::vector<std::string>{"g/kept"}));
  EXPECT_EQ(Fires(*store_, "g/kept"), (std::vector<std::string>{"1/0/"}));
  EXPECT_TRUE(Fires(*store_, "g/new").empty());
  Result<std::optional<core::Job>> job = store_->GetJob("j");
  ASSERT_TRUE(job.ok());
  EXPECT_FALSE(job->has_value());
}

// What a store holds: "schedule <key>", "fire <key> <logical_time/trigger/run_id>", "job <id>".
std::set<std::string> ScheduleContents(SqliteStore& store) {
  std::set<std::string> out;
  for (const std::string& key : ScheduleNames(store)) {
    out.insert("schedule " + key);
    for (const std::string& fire : Fires(store, key)) out.insert("fire " + key + " " + fire);
  }
  Result<Snapshot> snapshot = store.Load();
  if (snapshot.ok()) {
    for (const core::Job& job : snapshot->active_jobs) out.insert("job " + job.id);
  }
  return out;
}

// ScheduleContents(store) after `batch` is committed on a store whose Contents were `before`.
std::set<std::string> ApplyToScheduleContents(std::set<std::string> before, const WriteBatch& batch) {
  for (const std::string& key : batch.deleted_schedules) {
    std::erase_if(before, [&](const std::string& entry) {
      return entry == "schedule " + key || entry.rfind("fire " + key + " ", 0) == 0;
    });
  }
  for (const core::Schedule& s : batch.schedules) before.insert("schedule " + core::ScheduleKey(s));
  for (const core::Fire& f : batch.fires) {
    before.insert("fire " + f.schedule + " " + std::to_string(f.logical_time) + "/" +
                  std::to_string(static_cast<int>(f.trigger)) + "/" + f.run_id);
  }
  for (const core::Job& job : batch.jobs) before.insert("job " + job.id);
  return before;
}

// A loop turn that fires a schedule: the schedule's new progress, its fires, the jobs they
// started; and the deletion of another schedule with its fires.
WriteBatch FireBatch(int turn) {
  std::string n = std::to_string(turn);
  WriteBatch batch;
  core::Schedule schedule = MakeSchedule("g", "s" + n);
  schedule.active_runs = {"job-" + n + "-0"};
  batch.schedules = {schedule};
  for (int i = 0; i < 50; ++i) {
    std::string job_id = "job-" + n + "-" + std::to_string(i);
    core::Job job = testing::FullJob();
    job.id = job_id;
    job.parent_id.clear();
    job.array_index.reset();
    batch.jobs.push_back(job);
    batch.fires.push_back(MakeFire("g/s" + n, i * 60'000, FireTrigger::kSchedule, job_id));
  }
  batch.deleted_schedules = {"g/s" + std::to_string(turn - 1)};
  return batch;
}

// The disk fills up after the N-th write of a commit, for N across every write the commit does:
// a fire batch with jobs is stored whole or not at all, on this connection and a new one.
TEST(ScheduleStoreFaultTest, DiskFullDuringAFireBatchStoresAllOrNothing) {
  testing::RegisterFaultyVfs();
  TempDir dir;
  std::string path = dir.File("s.db");
  auto store = OpenOrDie(path, {.vfs_name = testing::kFaultyVfsName});
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Commit(FireBatch(0)).ok());
  testing::HealFaults();
  ASSERT_TRUE(store->Commit(FireBatch(1)).ok());
  int64_t writes = testing::WritesSoFar();
  ASSERT_GT(writes, 3);

  int failures = 0;
  int turn = 2;
  for (int64_t n = 0; n <= writes; n += std::max<int64_t>(1, writes / 30)) {
    std::set<std::string> before = ScheduleContents(*store);
    WriteBatch batch = FireBatch(turn);
    testing::HealFaults();
    testing::FailWritesAfter(n);
    Status status = store->Commit(batch);
    testing::HealFaults();
    std::set<std::string> after = ScheduleContents(*store);
    if (status.ok()) {
      ++turn;
      EXPECT_EQ(after, ApplyToScheduleContents(before, batch)) << "after write " << n;
    } else {
      ++failures;
      EXPECT_EQ(status.code(), StatusCode::kUnavailable) << status.ToString();
      EXPECT_EQ(after, before) << "failing after write " << n;
    }
    auto fresh = OpenOrDie(path);
    ASSERT_NE(fresh, nullptr);
    EXPECT_EQ(ScheduleContents(*fresh), after) << "after write " << n;
  }
  EXPECT_GT(failures, 0);
  EXPECT_TRUE(store->CheckIntegrity().ok());
}

}  // namespace
}  // namespace nightshift::store
