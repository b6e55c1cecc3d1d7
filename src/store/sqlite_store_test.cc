#include "store/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include "store/faulty_vfs.h"
#include "store/job_list_query.h"
#include "store/jobs_table.h"
#include "store/schema.h"
#include "store/store_test_util.h"

namespace nightshift::store {
namespace {

using core::JobState;
using testing::MakeJob;
using testing::OpenOrDie;
using testing::TempDir;

// Runs one statement on the file through a connection of its own, outside the store.
void RawExec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);
}

// The rows of a one-column query, through a connection of its own.
std::vector<std::string> RawQuery(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::vector<std::string> rows;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    const unsigned char* text = sqlite3_column_text(stmt, sqlite3_column_count(stmt) - 1);
    rows.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "");
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return rows;
}

std::set<std::string> ActiveIds(SqliteStore& store) {
  Result<Snapshot> snapshot = store.Load();
  EXPECT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  std::set<std::string> ids;
  if (snapshot.ok()) {
    for (const core::Job& job : snapshot->active_jobs) ids.insert(job.id);
  }
  return ids;
}

TEST(SqliteStoreTest, OpenCreatesFileAndParentDirectories) {
  TempDir dir;
  std::string path = dir.File("a/b/nightshift.db");
  auto store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->path(), path);
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_EQ(RawQuery(path, "PRAGMA user_version"),
            std::vector<std::string>{std::to_string(LatestSchemaVersion())});
  EXPECT_EQ(RawQuery(path, "PRAGMA application_id"),
            std::vector<std::string>{std::to_string(kApplicationId)});
  EXPECT_EQ(RawQuery(path, "PRAGMA journal_mode"), std::vector<std::string>{"wal"});
}

TEST(SqliteStoreTest, CreatesTablesAndIndexes) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("s.db"));
  std::vector<std::string> names =
      RawQuery(dir.File("s.db"),
               "SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name");
  EXPECT_EQ(names,
            (std::vector<std::string>{"api_tokens", "audit_log", "compute_environments", "events", "fires", "job_definitions",
                                      "job_queues", "jobs", "jobs_active", "jobs_by_parent_state",
                                      "jobs_by_queue_state", "pipeline_versions", "runs",
                                      "runs_by_pipeline", "runs_by_seq", "runs_running", "schedules",
                                      "store_counters", "webhook_deliveries",
                                      "webhook_deliveries_by_subscription", "webhooks"}));
}

TEST(SqliteStoreTest, EmptyStoreLoadsEmptySnapshot) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("s.db"));
  Result<Snapshot> snapshot = store->Load();
  ASSERT_TRUE(snapshot.ok());
  EXPECT_TRUE(snapshot->active_jobs.empty());
  EXPECT_TRUE(snapshot->compute_environments.empty());
  EXPECT_EQ(snapshot->max_job_seq, 0u);
}

TEST(SqliteStoreTest, ReopenKeepsEverythingCommitted) {
  TempDir dir;
  core::JobDefinition rev8 = testing::FullJobDefinition();
  rev8.revision = 8;
  {
    auto store = OpenOrDie(dir.File("s.db"));
    WriteBatch batch;
    batch.compute_environments = {testing::FullComputeEnvironment()};
    batch.job_queues = {testing::FullJobQueue()};
    batch.job_definitions = {rev8, testing::FullJobDefinition()};
    batch.jobs = {testing::FullJob()};
    ASSERT_TRUE(store->Commit(batch).ok());
  }
  auto store = OpenOrDie(dir.File("s.db"));
  Result<Snapshot> snapshot = store->Load();
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  ASSERT_EQ(snapshot->compute_environments.size(), 1u);
  testing::ExpectComputeEnvironmentEq(testing::FullComputeEnvironment(),
                                      snapshot->compute_environments[0]);
  ASSERT_EQ(snapshot->job_queues.size(), 1u);
  testing::ExpectJobQueueEq(testing::FullJobQueue(), snapshot->job_queues[0]);
  ASSERT_EQ(snapshot->job_definitions.size(), 2u);  // both revisions, in revision order
  testing::ExpectJobDefinitionEq(testing::FullJobDefinition(), snapshot->job_definitions[0]);
  testing::ExpectJobDefinitionEq(rev8, snapshot->job_definitions[1]);
  ASSERT_EQ(snapshot->active_jobs.size(), 1u);
  testing::ExpectJobEq(testing::FullJob(), snapshot->active_jobs[0]);
  EXPECT_EQ(snapshot->max_job_seq, testing::FullJob().seq);
}

TEST(SqliteStoreTest, GetJobReturnsEveryMemberOrNullopt) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("s.db"));
  ASSERT_TRUE(store->Commit({.jobs = {testing::FullJob()}}).ok());
  auto found = store->GetJob(testing::FullJob().id);
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  testing::ExpectJobEq(testing::FullJob(), **found);
  auto missing = store->GetJob("nope");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST(SqliteStoreTest, LoadReturnsOnlyNonTerminalJobsInSeqOrder) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("s.db"));
  WriteBatch batch;
  const JobState states[] = {JobState::kSubmitted, JobState::kPending, JobState::kRunnable,
                             JobState::kStarting,  JobState::kRunning, JobState::kSucceeded,
                             JobState::kFailed};
  uint64_t seq = 100;
  for (JobState state : states) {
    core::Job job = MakeJob(std::string(core::JobStateName(state)), "q", 1, state);
    job.seq = seq--;  // reverse order of insertion
    batch.jobs.push_back(job);
  }
  core::Job child = MakeJob("RUNNING:0", "q", 1, JobState::kRunning);
  child.parent_id = "RUNNING";
  child.array_index = 0;
  child.seq = 1;
  batch.jobs.push_back(child);
  ASSERT_TRUE(store->Commit(batch).ok());

  Result<Snapshot> snapshot = store->Load();
  ASSERT_TRUE(snapshot.ok());
  std::vector<std::string> ids;
  for (const core::Job& job : snapshot->active_jobs) ids.push_back(job.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"RUNNING:0", "RUNNING", "STARTING", "RUNNABLE",
                                           "PENDING", "SUBMITTED"}));
  EXPECT_EQ(snapshot->max_job_seq, 100u);  // the terminal SUBMITTED... job had the highest seq
}

TEST(SqliteStoreTest, MaxJobSeqSurvivesJobsLeavingTheActiveSet) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("s.db"));
  core::Job job = MakeJob("a", "q", 1);
  job.seq = 7;
  ASSERT_TRUE(store->Commit({.jobs = {job}}).ok());
  job.state = JobState::kSucceeded;
  job.seq = 7;
  ASSERT_TRUE(store->Commit({.jobs = {job}}).ok());
  Result<Snapshot> snapshot = store->Load();
  ASSERT_TRUE(snapshot.ok());
  EXPECT_TRUE(snapshot->active_jobs.empty());
  EXPECT_EQ(snapshot->max_job_seq, 7u);
}

// The engine commits on its writer thread while its loop reads: a read sees each batch whole.
TEST(SqliteStoreTest, ReadsOnAnotherThreadSeeEachBatchWholeWhileCommitsRun) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("s.db"));
  constexpr int kBatches = 200;
  std::atomic<bool> done{false};
  Status writer_status;
  std::thread writer([&] {
    for (int i = 0; i < kBatches && writer_status.ok(); ++i) {
      WriteBatch batch;
      for (const char* half : {"a", "b"}) batch.jobs.push_back(MakeJob(std::to_string(i) + half, "q", i + 1));
      writer_status = store->Commit(batch);
    }
    done = true;
  });
  JobQuery query;
  query.queue = "q";
  query.limit = 2 * kBatches + 1;
  size_t seen = 0;
  for (bool last = false; !last;) {
    last = done;  // one more read after the last commit
    Result<JobPage> page = store->ListJobs(query);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    EXPECT_EQ(page->jobs.size() % 2, 0u) << "half a batch is visible";
    EXPECT_GE(page->jobs.size(), seen);
    seen = page->jobs.size();
  }
  writer.join();
  EXPECT_TRUE(writer_status.ok()) << writer_status.ToString();
  EXPECT_EQ(seen, 2u * kBatches);
}

TEST(SqliteStoreTest, LoadSharesOneSpecAmongArrayChildren) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("s.db"));
  WriteBatch batch;
  auto spec = std::make_shared<const core::JobSpec>(testing::FullSpec());
  for (int i = 0; i < 3; ++i) {
    core::Job child = MakeJob("p:" + std::to_string(i), "q", 1);
    child.parent_id = "p";
    child.array_index = i;
    child.spec = spec;
    batch.jobs.push_back(child);
  }
  ASSERT_TRUE(store->Commit(batch).ok());
  Result<Snapshot> snapshot = store->Load();
  ASSERT_TRUE(snapshot.ok());
  ASSERT_EQ(snapshot->active_jobs.size(), 3u);
  EXPECT_EQ(snapshot->active_jobs[0].spec.get(), snapshot->active_jobs[2].spec.get());
}

TEST(SqliteStoreTest, LaterEntriesWinAndDeletionsApply) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("s.db"));
  core::ComputeEnvironment ce{.name = "ce", .max_vcpus = 2};
  core::JobQueue queue{.name = "q", .priority = 5};
  ASSERT_TRUE(store->Commit({.compute_environments = {ce}, .job_queues = {queue}}).ok());

  core::Job first = MakeJob("j", "q", 1, JobState::kRunnable);
  core::Job second = MakeJob("j", "q", 1, JobState::kRunning);
  second.status_reason = "second";
  ce.max_vcpus = 4;
  WriteBatch batch{
      .jobs = {first, second}, .compute_environments = {ce}, .deleted_job_queues = {"q"}};
  ASSERT_TRUE(store->Commit(batch).ok());

  Result<Snapshot> snapshot = store->Load();
  ASSERT_TRUE(snapshot.ok());
  ASSERT_EQ(snapshot->active_jobs.size(), 1u);
  EXPECT_EQ(snapshot->active_jobs[0].state, JobState::kRunning);
  EXPECT_EQ(snapshot->active_jobs[0].status_reason, "second");
  ASSERT_EQ(snapshot->compute_environments.size(), 1u);
  EXPECT_EQ(snapshot->compute_environments[0].max_vcpus, 4);
  EXPECT_TRUE(snapshot->job_queues.empty());

  ASSERT_TRUE(store->Commit({.deleted_compute_environments = {"ce", "never-existed"}}).ok());
  snapshot = store->Load();
  ASSERT_TRUE(snapshot.ok());
  EXPECT_TRUE(snapshot->compute_environments.empty());
}

TEST(SqliteStoreTest, RefusesNewerSchemaVersion) {
  TempDir dir;
  std::string path = dir.File("s.db");
  OpenOrDie(path).reset();
  int newer = LatestSchemaVersion() + 1;
  RawExec(path, "PRAGMA user_version = " + std::to_string(newer));
  auto store = SqliteStore::Open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kConflict);
  EXPECT_EQ(store.status().message(),
            "store schema version " + std::to_string(newer) + " is newer than this nightshift (" +
                std::to_string(LatestSchemaVersion()) + "); upgrade nightshift");
}

TEST(SqliteStoreTest, RefusesADatabaseOfAnotherApplication) {
  TempDir dir;
  std::string path = dir.File("other.db");
  RawExec(path, "PRAGMA application_id = 42; CREATE TABLE t (x)");
  auto store = SqliteStore::Open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kConflict);
  EXPECT_NE(store.status().message().find("not a nightshift store"), std::string::npos);
}

TEST(SqliteStoreTest, FileThatIsNotADatabaseIsAnInternalError) {
  TempDir dir;
  std::string path = dir.File("garbage.db");
  RawExec(dir.File("unused.db"), "SELECT 1");
  FILE* f = fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  fputs(std::string(8192, 'g').c_str(), f);
  fclose(f);
  auto store = SqliteStore::Open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kInternal) << store.status().ToString();
}

// A constraint of the schema (a job id may not be empty) fails the batch midway: neither the
// jobs before it, nor the resources, nor an update of an existing job may be stored.
TEST(SqliteStoreTest, FailedBatchStoresNothing) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("s.db"));
  ASSERT_TRUE(store->Commit({.jobs = {MakeJob("old", "q", 1, JobState::kRunnable)}}).ok());

  WriteBatch batch;
  batch.compute_environments = {{.name = "ce"}};
  batch.job_queues = {{.name = "q"}};
  batch.jobs = {MakeJob("a", "q", 1), MakeJob("old", "q", 1, JobState::kRunning),
                MakeJob("", "q", 1), MakeJob("c", "q", 1)};
  batch.jobs[0].seq = 99;
  Status status = store->Commit(batch);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_NE(status.message().find("CHECK constraint failed"), std::string::npos)
      << status.message();

  auto fresh = OpenOrDie(dir.File("s.db"));
  for (SqliteStore* s : {store.get(), fresh.get()}) {  // this connection and a new one
    Result<Snapshot> snapshot = s->Load();
    ASSERT_TRUE(snapshot.ok());
    ASSERT_EQ(snapshot->active_jobs.size(), 1u);
    EXPECT_EQ(snapshot->active_jobs[0].state, JobState::kRunnable);
    EXPECT_TRUE(snapshot->compute_environments.empty());
    EXPECT_TRUE(snapshot->job_queues.empty());
    EXPECT_EQ(snapshot->max_job_seq, 0u);
  }
  // The store remains usable.
  EXPECT_TRUE(store->Commit({.jobs = {MakeJob("d", "q", 1)}}).ok());
  EXPECT_EQ(ActiveIds(*store), (std::set<std::string>{"old", "d"}));
}

WriteBatch BigBatch(const std::string& prefix, int jobs) {
  WriteBatch batch;
  for (int i = 0; i < jobs; ++i) {
    core::Job job = testing::FullJob();
    job.id = prefix + std::to_string(i);
    job.parent_id.clear();
    job.array_index.reset();
    batch.jobs.push_back(job);
  }
  batch.compute_environments = {{.name = prefix + "ce"}};
  return batch;
}

// What a restart after kill -9 would find: the database and its WAL copied as they are now
// (without the shared-memory index), so opening the copy runs sqlite's WAL recovery.
std::set<std::string> ActiveIdsAfterCrash(const std::string& path, const std::string& crash_dir) {
  namespace fs = std::filesystem;
  fs::remove_all(crash_dir);
  fs::create_directories(crash_dir);
  fs::copy_file(path, crash_dir + "/s.db");
  if (fs::exists(path + "-wal")) fs::copy_file(path + "-wal", crash_dir + "/s.db-wal");
  auto store = OpenOrDie(crash_dir + "/s.db");
  return store != nullptr ? ActiveIds(*store) : std::set<std::string>{};
}

std::set<std::string> Union(std::set<std::string> ids, const WriteBatch& batch) {
  for (const core::Job& job : batch.jobs) ids.insert(job.id);
  return ids;
}

// The disk fills up after the N-th write of a commit, for N across every write the commit does:
// a Commit that fails stored nothing and says "disk full"; one that succeeds stored everything;
// the store keeps working once space is back. Checked on this connection, on a new one, and on
// a copy of the files as a crash would leave them.
TEST(SqliteStoreTest, DiskFullAtAnyWriteOfACommitStoresNothing) {
  testing::RegisterFaultyVfs();
  TempDir dir;
  std::string path = dir.File("s.db");
  auto store = OpenOrDie(path, {.vfs_name = testing::kFaultyVfsName});
  ASSERT_TRUE(store->Commit(BigBatch("warmup-", 10)).ok());

  // How many writes a healthy commit of this size does.
  testing::HealFaults();
  ASSERT_TRUE(store->Commit(BigBatch("probe-", 300)).ok());
  int64_t writes = testing::WritesSoFar();
  ASSERT_GT(writes, 3);

  std::set<std::string> expected = ActiveIds(*store);
  int failures = 0;
  for (int64_t n = 0; n <= writes; n += std::max<int64_t>(1, writes / 40)) {
    WriteBatch batch = BigBatch("n" + std::to_string(n) + "-", 300);
    testing::HealFaults();
    testing::FailWritesAfter(n);
    Status status = store->Commit(batch);
    testing::HealFaults();
    if (status.ok()) {
      expected = Union(expected, batch);
    } else {
      ++failures;
      EXPECT_EQ(status.code(), StatusCode::kUnavailable) << status.ToString();
      EXPECT_EQ(status.message().rfind("disk full: ", 0), 0u) << status.message();
    }
    EXPECT_EQ(ActiveIds(*store), expected) << "failing after write " << n;
    auto fresh = OpenOrDie(path);
    ASSERT_NE(fresh, nullptr);
    EXPECT_EQ(ActiveIds(*fresh), expected) << "failing after write " << n;
    EXPECT_EQ(ActiveIdsAfterCrash(path, dir.File("crash")), expected) << "after write " << n;
  }
  EXPECT_GT(failures, 0);
  ASSERT_TRUE(store->Commit(BigBatch("after-", 5)).ok());
  EXPECT_TRUE(store->CheckIntegrity().ok());
}

// An fsync fails at the N-th sync of a commit. A commit that reports success is durable. One
// that fails says "I/O error", and whether the batch survives a restart is unknown, but it is
// all of it or none of it; the store then refuses further commits until it is reopened.
// A commit that finds the disk full gives up the reserve file and tries once more; until the
// reserve can be set aside again the store says it has no space for new changes.
TEST(SqliteStoreTest, AFullDiskUsesTheReserveAndRefusesNewChangesUntilItIsBack) {
  testing::RegisterFaultyVfs();
  TempDir dir;
  const std::string path = dir.File("s.db");
  auto store = OpenOrDie(path, {.vfs_name = testing::kFaultyVfsName, .reserve_bytes = 1 << 16});
  ASSERT_EQ(std::filesystem::file_size(path + "-reserve"), 1u << 16);
  EXPECT_TRUE(store->SpaceForWrites().ok());

  testing::HealFaults();
  testing::FailWritesAfter(0);  // the disk stays full: even the second try fails
  Status full = store->Commit(BigBatch("full-", 10));
  testing::HealFaults();
  EXPECT_EQ(full.message().rfind("disk full: ", 0), 0u) << full.ToString();
  EXPECT_FALSE(std::filesystem::exists(path + "-reserve"));

  // Writes through the VFS work again, but the reserve file is outside it: block its place.
  std::filesystem::create_directory(path + "-reserve");
  Status refused = store->SpaceForWrites();
  EXPECT_EQ(refused.code(), StatusCode::kUnavailable);
  EXPECT_EQ(refused.message().rfind("disk full: ", 0), 0u) << refused.ToString();
  std::filesystem::remove(path + "-reserve");
  EXPECT_TRUE(store->SpaceForWrites().ok());
  EXPECT_EQ(std::filesystem::file_size(path + "-reserve"), 1u << 16);
  EXPECT_TRUE(store->Commit(BigBatch("after-", 10)).ok());
  EXPECT_TRUE(store->CheckIntegrity().ok());
}

TEST(SqliteStoreTest, FailedSyncLeavesTheBatchAllOrNothingAndStopsWrites) {
  testing::RegisterFaultyVfs();
  int64_t syncs = 0;
  {
    TempDir dir;
    auto store = OpenOrDie(dir.File("s.db"), {.vfs_name = testing::kFaultyVfsName});
    testing::HealFaults();
    ASSERT_TRUE(store->Commit(BigBatch("probe-", 300)).ok());
    syncs = testing::SyncsSoFar();
    ASSERT_GE(syncs, 1);
  }
  for (int64_t n = 0; n <= syncs; ++n) {
    TempDir dir;
    std::string path = dir.File("s.db");
    auto store = OpenOrDie(path, {.vfs_name = testing::kFaultyVfsName});
    WriteBatch before = BigBatch("before-", 10);
    ASSERT_TRUE(store->Commit(before).ok());
    WriteBatch batch = BigBatch("batch-", 300);
    testing::HealFaults();
    testing::FailSyncsAfter(n);
    Status status = store->Commit(batch);
    testing::HealFaults();
    std::set<std::string> without = ActiveIds(*store);
    std::set<std::string> with = Union(without, batch);
    std::set<std::string> after_crash = ActiveIdsAfterCrash(path, dir.File("crash"));
    if (status.ok()) {
      EXPECT_EQ(without, with) << "sync " << n;
      EXPECT_EQ(after_crash, with) << "sync " << n;
      continue;
    }
    EXPECT_EQ(status.code(), StatusCode::kUnavailable);
    EXPECT_EQ(status.message().rfind("I/O error: ", 0), 0u) << status.message();
    EXPECT_TRUE(after_crash == without || after_crash == with) << "sync " << n;
    Status next = store->Commit({.jobs = {MakeJob("next", "q", 1)}});
    EXPECT_EQ(next.code(), StatusCode::kUnavailable);
    EXPECT_NE(next.message().find("restart nightshift"), std::string::npos) << next.message();
    store.reset();
    auto reopened = OpenOrDie(path);
    ASSERT_NE(reopened, nullptr);
    EXPECT_TRUE(reopened->Commit({.jobs = {MakeJob("next", "q", 1)}}).ok());
  }
}

// Commits batches of `jobs_per_batch` until `done(stats)` or, failing that, for 60 s; the
// number of jobs committed.
template <typename Done>
int CommitUntil(SqliteStore& store, int jobs_per_batch, Done done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int committed = 0;
  while (!done(store.checkpoint_stats()) && std::chrono::steady_clock::now() < deadline) {
    Status status = store.Commit(BigBatch("b" + std::to_string(committed) + "-", jobs_per_batch));
    EXPECT_TRUE(status.ok()) << status.ToString();
    if (!status.ok()) break;
    committed += jobs_per_batch;
  }
  return committed;
}

// The limit is out of reach, so only the checkpointer's passes (and the short copies of the tail
// they leave the writer) can let the WAL start over; without them it only grows.
TEST(SqliteStoreTest, BackgroundPassesLetTheWalStartOver) {
  TempDir dir;
  SqliteStore::Options options;
  options.checkpoints = {.start_frames = 64, .tail_frames = 256, .limit_frames = 1 << 30};
  int committed = 0;
  {
    auto store = OpenOrDie(dir.File("s.db"), options);
    committed = CommitUntil(*store, 20, [](const Checkpointer::Stats& stats) {
      return stats.wal_restarts >= 3;
    });
    Checkpointer::Stats stats = store->checkpoint_stats();
    EXPECT_GE(stats.wal_restarts, 3);
    EXPECT_GE(stats.passes, 3);
    EXPECT_EQ(stats.failed_passes, 0) << stats.last_error;
    EXPECT_TRUE(store->CheckIntegrity().ok());
  }
  auto store = OpenOrDie(dir.File("s.db"), options);
  EXPECT_EQ(ActiveIds(*store).size(), static_cast<size_t>(committed));
}

// With no pass ever due, the writer copies the WAL itself at the limit, as sqlite would.
TEST(SqliteStoreTest, TheWriterCheckpointsAtTheLimit) {
  TempDir dir;
  SqliteStore::Options options;
  options.checkpoints = {.start_frames = 1 << 30, .tail_frames = 0, .limit_frames = 64};
  auto store = OpenOrDie(dir.File("s.db"), options);
  int committed = CommitUntil(*store, 20, [](const Checkpointer::Stats& stats) {
    return stats.wal_restarts >= 2;
  });
  Checkpointer::Stats stats = store->checkpoint_stats();
  EXPECT_GE(stats.wal_restarts, 2);
  EXPECT_GE(stats.writer_checkpoints, 2);
  EXPECT_EQ(stats.passes, 0);
  EXPECT_EQ(ActiveIds(*store).size(), static_cast<size_t>(committed));
}

TEST(SqliteStoreTest, WithoutBackgroundCheckpointsThereAreNoStats) {
  TempDir dir;
  SqliteStore::Options options;
  options.background_checkpoints = false;
  auto store = OpenOrDie(dir.File("s.db"), options);
  ASSERT_TRUE(store->Commit(BigBatch("j", 100)).ok());
  Checkpointer::Stats stats = store->checkpoint_stats();
  EXPECT_EQ(stats.passes + stats.writer_checkpoints + stats.wal_restarts, 0);
}

TEST(SqliteStoreTest, CheckIntegrityPassesOnAHealthyStore) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("s.db"));
  ASSERT_TRUE(store->Commit(BigBatch("j", 100)).ok());
  Status status = store->CheckIntegrity();
  EXPECT_TRUE(status.ok()) << status.ToString();
}

TEST(SqliteStoreTest, CheckIntegrityReportsADamagedIndex) {
  TempDir dir;
  std::string path = dir.File("s.db");
  auto store = OpenOrDie(path);
  ASSERT_TRUE(store->Commit(BigBatch("j", 100)).ok());
  // Make the jobs_active index disagree with the table, behind the store's back.
  RawExec(path,
          "PRAGMA writable_schema = ON; UPDATE sqlite_master SET sql = "
          "replace(sql, 'seq, id', 'id, seq') WHERE name = 'jobs_active'");
  store.reset();
  store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  Status status = store->CheckIntegrity();
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_NE(status.message().find("integrity check failed"), std::string::npos) << status.message();
}

// The queries are written to match the partial indexes word for word; this checks that sqlite
// agrees and uses them.
TEST(SqliteStoreTest, LoadScansTheActiveJobsIndex) {
  TempDir dir;
  std::string path = dir.File("s.db");
  OpenOrDie(path).reset();
  std::vector<std::string> plan =
      RawQuery(path, "EXPLAIN QUERY PLAN " + std::string(kSelectActiveJobsSql));
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_NE(plan[0].find("jobs_active"), std::string::npos) << plan[0];
  EXPECT_EQ(plan[0].find("TEMP B-TREE"), std::string::npos) << plan[0];
}

std::string JoinedPlan(const std::string& path, const std::string& sql) {
  std::string plan;
  for (const std::string& line : RawQuery(path, "EXPLAIN QUERY PLAN " + sql)) plan += line + "\n";
  return plan;
}

// Every shape of ListJobs finds its page's keys in an index, without reading rows it does not
// return, and never scans the jobs table.
TEST(SqliteStoreTest, ListJobsPlansUseCoveringIndexes) {
  TempDir dir;
  std::string path = dir.File("s.db");
  OpenOrDie(path).reset();
  std::string token = EncodePageToken({.created_at = 5, .id = "x"});
  const JobQuery queries[] = {
      {.queue = "q", .states = {JobState::kRunning}},
      {.queue = "q"},
      {.queue = "q",
       .states = {JobState::kRunning, JobState::kFailed},
       .name_pattern = "a*",
       .definition_pattern = "d",
       .created_before = 9,
       .created_after = 1,
       .page_token = token},
      {.queue = "q", .name_pattern = "exact", .definition_pattern = "d:1"},
  };
  for (const JobQuery& query : queries) {
    Result<ListJobsSql> sql = BuildListJobsSql(query);
    ASSERT_TRUE(sql.ok());
    std::string plan = JoinedPlan(path, sql->sql);
    EXPECT_NE(plan.find("COVERING INDEX jobs_by_queue_state"), std::string::npos) << plan;
    EXPECT_EQ(plan.find("SCAN jobs"), std::string::npos) << plan;
  }
  Result<ListJobsSql> children = BuildListJobsSql({.array_parent = "p"});
  ASSERT_TRUE(children.ok());
  std::string plan = JoinedPlan(path, children->sql);
  EXPECT_NE(plan.find("COVERING INDEX jobs_by_parent_state"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("SCAN jobs"), std::string::npos) << plan;
}

TEST(JobsTableTest, QualifiedColumnsAreTheColumns) {
  EXPECT_EQ(QualifiedJobColumns("t"),
            "t.id, t.seq, t.name, t.queue, t.state, t.created_at, t.parent_id, t.array_index, "
            "t.definition, t.share_identifier, t.doc");
}

}  // namespace
}  // namespace nightshift::store
