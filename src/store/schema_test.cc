// Schema migrations: stores written by an older nightshift open, migrate and keep their data.
#include "store/schema.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "store/fires_table.h"
#include "store/jobs_table.h"
#include "store/pipeline_test_util.h"
#include "store/runs_table.h"
#include "store/schedule_codec.h"
#include "store/sqlite_store.h"
#include "store/store_test_util.h"

namespace nightshift::store {
namespace {

using testing::TempDir;

int64_t QueryInt(Database& db, const std::string& sql) {
  Result<Statement> select = db.Prepare(sql);
  EXPECT_TRUE(select.ok()) << select.status().ToString();
  if (!select.ok()) return -1;
  Result<bool> row = select->Step();
  EXPECT_TRUE(row.ok() && *row) << sql;
  return row.ok() && *row ? select->ColumnInt(0) : -1;
}

int64_t TableCount(Database& db, const std::string& table) {
  return QueryInt(
      db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '" + table + "'");
}

// A job as a version-1 nightshift wrote it: its row, and the seq counter.
void WriteVersion1Job(Database& db, const core::Job& job) {
  Result<Statement> upsert = db.Prepare(kUpsertJobSql);
  ASSERT_TRUE(upsert.ok()) << upsert.status().ToString();
  std::string doc = EncodeJobDoc(job);
  BindJobRow(*upsert, job, doc);
  ASSERT_TRUE(upsert->Run().ok());
  ASSERT_TRUE(db.Exec("UPDATE store_counters SET max_job_seq = " + std::to_string(job.seq)).ok());
}

TEST(SchemaTest, MigratingAVersion1StoreKeepsItsJobsAndAddsSchedules) {
  TempDir dir;
  std::string path = dir.File("s.db");
  core::Job job = testing::FullJob();
  {
    Result<Database> db = Database::Open(path, "");
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(MigrateSchemaTo(*db, 1).ok());
    ASSERT_EQ(db->PragmaInt("user_version").value(), 1);
    ASSERT_EQ(TableCount(*db, "jobs"), 1);
    ASSERT_EQ(TableCount(*db, "schedules"), 0);  // really a version-1 store
    WriteVersion1Job(*db, job);
  }

  auto store = SqliteStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Result<Snapshot> snapshot = (*store)->Load();
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  ASSERT_EQ(snapshot->active_jobs.size(), 1u);
  testing::ExpectJobEq(job, snapshot->active_jobs[0]);
  EXPECT_EQ(snapshot->max_job_seq, job.seq);
  EXPECT_TRUE(snapshot->schedules.empty());
  Result<std::optional<core::Job>> found = (*store)->GetJob(job.id);
  ASSERT_TRUE(found.ok());
  EXPECT_TRUE(found->has_value());

  // The new tables work.
  core::Fire fire = testing::FullFire();
  ASSERT_TRUE((*store)->Commit({.schedules = {testing::FullSchedule()}, .fires = {fire}}).ok());
  Result<std::optional<core::Fire>> stored =
      (*store)->GetFire(fire.schedule, fire.logical_time, fire.trigger);
  ASSERT_TRUE(stored.ok());
  EXPECT_TRUE(stored->has_value());
  EXPECT_TRUE((*store)->CheckIntegrity().ok());

  Result<Database> db = Database::Open(path, "");
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(db->PragmaInt("user_version").value(), LatestSchemaVersion());
  EXPECT_EQ(LatestSchemaVersion(), 6);
}

// A schedule and one of its fires as a version-2 nightshift wrote them.
void WriteVersion2Schedule(Database& db, const core::Schedule& schedule, const core::Fire& fire) {
  Result<Statement> insert = db.Prepare("INSERT INTO schedules (key, doc) VALUES (?1, ?2)");
  ASSERT_TRUE(insert.ok()) << insert.status().ToString();
  std::string key = core::ScheduleKey(schedule);
  std::string doc = EncodeSchedule(schedule);
  insert->BindText(1, key);
  insert->BindBlob(2, doc);
  ASSERT_TRUE(insert->Run().ok());
  Result<Statement> upsert = db.Prepare(kUpsertFireSql);
  ASSERT_TRUE(upsert.ok()) << upsert.status().ToString();
  std::string fire_doc = EncodeFire(fire);
  BindFireRow(*upsert, fire, fire_doc);
  ASSERT_TRUE(upsert->Run().ok());
}

TEST(SchemaTest, MigratingAVersion2StoreKeepsItsSchedulesAndJobsAndAddsRuns) {
  TempDir dir;
  std::string path = dir.File("s.db");
  core::Job job = testing::FullJob();
  core::Schedule schedule = testing::FullSchedule();
  core::Fire fire = testing::FullFire();
  {
    Result<Database> db = Database::Open(path, "");
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(MigrateSchemaTo(*db, 2).ok());
    ASSERT_EQ(db->PragmaInt("user_version").value(), 2);
    ASSERT_EQ(TableCount(*db, "fires"), 1);
    ASSERT_EQ(TableCount(*db, "runs"), 0);  // really a version-2 store
    WriteVersion1Job(*db, job);
    WriteVersion2Schedule(*db, schedule, fire);
  }

  auto store = SqliteStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Result<Snapshot> snapshot = (*store)->Load();
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  ASSERT_EQ(snapshot->active_jobs.size(), 1u);
  testing::ExpectJobEq(job, snapshot->active_jobs[0]);
  EXPECT_EQ(snapshot->max_job_seq, job.seq);
  ASSERT_EQ(snapshot->schedules.size(), 1u);
  testing::ExpectScheduleEq(schedule, snapshot->schedules[0]);
  Result<std::optional<core::Fire>> stored_fire =
      (*store)->GetFire(fire.schedule, fire.logical_time, fire.trigger);
  ASSERT_TRUE(stored_fire.ok());
  ASSERT_TRUE(stored_fire->has_value());
  testing::ExpectFireEq(fire, **stored_fire);
  EXPECT_TRUE(snapshot->pipeline_versions.empty());
  EXPECT_TRUE(snapshot->active_runs.empty());
  EXPECT_EQ(snapshot->max_run_seq, 0u);  // the new counter column's default

  // The new tables and counter work.
  core::PipelineRun run = testing::MakeRun("r1", "p", 12);
  ASSERT_TRUE((*store)
                  ->Commit({.pipeline_versions = {testing::FullPipelineVersion()}, .runs = {run}})
                  .ok());
  snapshot = (*store)->Load();
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  EXPECT_EQ(snapshot->pipeline_versions.size(), 1u);
  EXPECT_EQ(snapshot->active_runs.size(), 1u);
  EXPECT_EQ(snapshot->max_run_seq, 12u);
  EXPECT_EQ(snapshot->max_job_seq, job.seq);
  EXPECT_TRUE((*store)->CheckIntegrity().ok());
}

TEST(SchemaTest, MigratingAVersion5StoreKeepsItsEventIdsAndStillRefusesUnknownStates) {
  TempDir dir;
  std::string path = dir.File("s.db");
  {
    Result<Database> db = Database::Open(path, "");
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(MigrateSchemaTo(*db, 5).ok());
    // A version-5 nightshift raised the counter at every commit, and pruned events 1 to 7.
    ASSERT_TRUE(db->Exec("UPDATE store_counters SET max_event_id = 7").ok());
  }
  auto store = SqliteStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->Load()->max_event_id, 7u);
  core::Event e;
  e.id = 8;
  e.doc = "{}";
  ASSERT_TRUE((*store)->Commit({.events = {e}}).ok());
  EXPECT_EQ((*store)->Load()->max_event_id, 8u);
  EXPECT_TRUE((*store)->CheckIntegrity().ok());
  store->reset();

  Result<Database> db = Database::Open(path, "");
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(db->PragmaInt("user_version").value(), 6);
  EXPECT_FALSE(db->Exec("INSERT INTO jobs (id, seq, name, queue, state, created_at, definition, "
                        "share_identifier, doc) VALUES ('j', 1, 'n', 'q', 'LOST', 0, 'd:1', '', x'')")
                   .ok());
  EXPECT_TRUE(db->Exec("INSERT INTO jobs (id, seq, name, queue, state, created_at, definition, "
                       "share_identifier, doc) VALUES ('j', 1, 'n', 'q', 'RUNNING', 0, 'd:1', '', x'')")
                  .ok());
  EXPECT_FALSE(db->Exec("INSERT INTO runs (id, seq, pipeline, state, doc) VALUES ('r', 1, 'p', 'LOST', x'')").ok());
  EXPECT_TRUE(db->Exec("INSERT INTO runs (id, seq, pipeline, state, doc) VALUES ('r', 1, 'p', 'CANCELLED', x'')").ok());
}

// The CHECKs on states are ORs (migration 6): an IN list of seven made sqlite build a temporary
// b-tree at every execution of the statement.
TEST(SchemaTest, WritingAJobOrARunBuildsNoTemporaryTable) {
  TempDir dir;
  std::string path = dir.File("s.db");
  ASSERT_TRUE(SqliteStore::Open(path).ok());
  Result<Database> db = Database::Open(path, "");
  ASSERT_TRUE(db.ok());
  for (std::string_view upsert : {kUpsertJobSql, kUpsertRunSql}) {
    Result<Statement> explain = db->Prepare("EXPLAIN " + std::string(upsert));
    ASSERT_TRUE(explain.ok()) << explain.status().ToString();
    std::vector<std::string> opcodes;
    for (Result<bool> row = explain->Step(); row.ok() && *row; row = explain->Step()) {
      opcodes.emplace_back(explain->ColumnText(1));
    }
    EXPECT_FALSE(opcodes.empty());
    EXPECT_EQ(std::count(opcodes.begin(), opcodes.end(), "OpenEphemeral"), 0) << upsert;
  }
}

TEST(SchemaTest, MigrateSchemaToLeavesANewerStoreAsItIs) {
  TempDir dir;
  std::string path = dir.File("s.db");
  ASSERT_TRUE(SqliteStore::Open(path).ok());
  Result<Database> db = Database::Open(path, "");
  ASSERT_TRUE(db.ok());
  EXPECT_TRUE(MigrateSchemaTo(*db, 1).ok());
  EXPECT_EQ(db->PragmaInt("user_version").value(), LatestSchemaVersion());
  EXPECT_EQ(TableCount(*db, "fires"), 1);
}

TEST(SchemaTest, MigrateSchemaToRefusesAVersionItDoesNotKnow) {
  TempDir dir;
  Result<Database> db = Database::Open(dir.File("s.db"), "");
  ASSERT_TRUE(db.ok());
  Status status = MigrateSchemaTo(*db, LatestSchemaVersion() + 1);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(db->PragmaInt("user_version").value(), 0);
}

}  // namespace
}  // namespace nightshift::store
