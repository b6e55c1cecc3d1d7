// Pipeline versions and runs through SqliteStore::Commit and Load, against a real store.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <utility>

#include "store/faulty_vfs.h"
#include "store/pipeline_test_util.h"
#include "store/runs_table.h"
#include "store/sqlite_store.h"
#include "store/store_test_util.h"

namespace nightshift::store {
namespace {

using core::RunState;
using testing::MakeRun;
using testing::OpenOrDie;
using testing::TempDir;

core::PipelineVersion MakeVersion(const std::string& name, int version) {
  core::PipelineVersion v;
  v.name = name;
  v.version = version;
  v.source = "steps: {}";
  return v;
}

Snapshot LoadOrDie(SqliteStore& store) {
  Result<Snapshot> snapshot = store.Load();
  EXPECT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  return snapshot.ok() ? std::move(snapshot).value() : Snapshot();
}

// The ids of the snapshot's active runs, in their order.
std::vector<std::string> ActiveRunIds(SqliteStore& store) {
  std::vector<std::string> ids;
  for (const core::PipelineRun& run : LoadOrDie(store).active_runs) ids.push_back(run.id);
  return ids;
}

class PipelineStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenOrDie(path_);
    ASSERT_NE(store_, nullptr);
  }

  void Commit(const WriteBatch& batch) {
    Status status = store_->Commit(batch);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }

  std::optional<core::PipelineRun> GetRun(const std::string& id) {
    Result<std::optional<core::PipelineRun>> run = store_->GetRun(id);
    EXPECT_TRUE(run.ok()) << run.status().ToString();
    return run.ok() ? *run : std::nullopt;
  }

  TempDir dir_;
  std::string path_ = dir_.File("s.db");
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(PipelineStoreTest, CommitAndLoadRoundTripVersionsAndRunsAcrossAReopen) {
  core::PipelineVersion plain = MakeVersion("a-plain-one", 1);
  core::PipelineVersion older = testing::FullPipelineVersion();
  older.version = 2;
  older.deleted = false;
  core::PipelineRun full = testing::FullRun();
  full.state = RunState::kRunning;
  Commit({.pipeline_versions = {testing::FullPipelineVersion(), plain, older},
          .runs = {full, MakeRun("r2", "a-plain-one", 3)}});
  store_.reset();
  store_ = OpenOrDie(path_);
  Snapshot snapshot = LoadOrDie(*store_);
  // In (name, version) order; a deleted version is loaded too.
  ASSERT_EQ(snapshot.pipeline_versions.size(), 3u);
  testing::ExpectPipelineVersionEq(plain, snapshot.pipeline_versions[0]);
  testing::ExpectPipelineVersionEq(older, snapshot.pipeline_versions[1]);
  testing::ExpectPipelineVersionEq(testing::FullPipelineVersion(), snapshot.pipeline_versions[2]);
  ASSERT_EQ(snapshot.active_runs.size(), 2u);  // in seq order
  testing::ExpectRunEq(MakeRun("r2", "a-plain-one", 3), snapshot.active_runs[0]);
  testing::ExpectRunEq(full, snapshot.active_runs[1]);
  EXPECT_EQ(snapshot.max_run_seq, full.seq);
  std::optional<core::PipelineRun> stored = GetRun(full.id);
  ASSERT_TRUE(stored.has_value());
  testing::ExpectRunEq(full, *stored);
}

TEST_F(PipelineStoreTest, UpsertReplacesTheWholeVersionAndRun) {
  core::PipelineRun full = testing::FullRun();
  Commit({.pipeline_versions = {testing::FullPipelineVersion()}, .runs = {full}});
  core::PipelineVersion replacement = MakeVersion("nightly-etl", 7);  // same key
  core::PipelineRun run = MakeRun(full.id, "other-pipeline", 5);      // same id
  Commit({.pipeline_versions = {replacement}, .runs = {run}});
  Snapshot snapshot = LoadOrDie(*store_);
  ASSERT_EQ(snapshot.pipeline_versions.size(), 1u);
  testing::ExpectPipelineVersionEq(replacement, snapshot.pipeline_versions[0]);
  ASSERT_EQ(snapshot.active_runs.size(), 1u);
  testing::ExpectRunEq(run, snapshot.active_runs[0]);
  // Its columns were replaced too: it is listed under its new pipeline only.
  Result<RunPage> old_pipeline = store_->ListRuns({.pipeline = full.pipeline});
  ASSERT_TRUE(old_pipeline.ok());
  EXPECT_TRUE(old_pipeline->runs.empty());
  Result<RunPage> new_pipeline = store_->ListRuns({.pipeline = "other-pipeline"});
  ASSERT_TRUE(new_pipeline.ok());
  ASSERT_EQ(new_pipeline->runs.size(), 1u);
  EXPECT_EQ(new_pipeline->runs[0].seq, 5u);
}

TEST_F(PipelineStoreTest, LaterEntryForTheSameKeyWinsWithinABatch) {
  core::PipelineVersion first = MakeVersion("p", 1);
  core::PipelineVersion second = first;
  second.deleted = true;
  core::PipelineRun running = MakeRun("r", "p", 1);
  core::PipelineRun succeeded = MakeRun("r", "p", 1, RunState::kSucceeded);
  Commit({.pipeline_versions = {first, second}, .runs = {succeeded, running}});
  Snapshot snapshot = LoadOrDie(*store_);
  ASSERT_EQ(snapshot.pipeline_versions.size(), 1u);
  EXPECT_TRUE(snapshot.pipeline_versions[0].deleted);
  EXPECT_EQ(ActiveRunIds(*store_), (std::vector<std::string>{"r"}));
}

TEST_F(PipelineStoreTest, LoadsOnlyRunningRunsInSeqOrder) {
  Commit({.runs = {MakeRun("c", "p", 30), MakeRun("ok", "p", 5, RunState::kSucceeded),
                   MakeRun("a", "q", 10), MakeRun("failed", "p", 1, RunState::kFailed),
                   MakeRun("cancelled", "q", 2, RunState::kCancelled), MakeRun("b", "p", 20)}});
  EXPECT_EQ(ActiveRunIds(*store_), (std::vector<std::string>{"a", "b", "c"}));
}

TEST_F(PipelineStoreTest, RunThatEndedIsNoLongerLoadedButStillFound) {
  Commit({.runs = {MakeRun("r1", "p", 1), MakeRun("r2", "p", 2)}});
  ASSERT_EQ(ActiveRunIds(*store_), (std::vector<std::string>{"r1", "r2"}));
  Commit({.runs = {MakeRun("r1", "p", 1, RunState::kSucceeded)}});
  store_.reset();
  store_ = OpenOrDie(path_);
  EXPECT_EQ(ActiveRunIds(*store_), (std::vector<std::string>{"r2"}));
  std::optional<core::PipelineRun> ended = GetRun("r1");
  ASSERT_TRUE(ended.has_value());
  EXPECT_EQ(ended->state, RunState::kSucceeded);
}

// Only runs of a later commit can raise it; it never goes down, and outlives the runs' ends.
TEST_F(PipelineStoreTest, MaxRunSeqSurvivesTheRunsEndAndAReopen) {
  EXPECT_EQ(LoadOrDie(*store_).max_run_seq, 0u);
  Commit({.runs = {MakeRun("r7", "p", 7), MakeRun("r4", "p", 4)}});
  EXPECT_EQ(LoadOrDie(*store_).max_run_seq, 7u);
  Commit({.runs = {MakeRun("r7", "p", 7, RunState::kFailed), MakeRun("r3", "p", 3)}});
  core::Job job = testing::MakeJob("j", "q", 1);
  job.seq = 100;
  Commit({.jobs = {job}});  // raises max_job_seq only: the counters are distinct
  store_.reset();
  store_ = OpenOrDie(path_);
  Snapshot snapshot = LoadOrDie(*store_);
  EXPECT_EQ(snapshot.max_run_seq, 7u);
  EXPECT_EQ(snapshot.max_job_seq, 100u);
}

// The state column holds the names the table's CHECK allows, for every state.
TEST_F(PipelineStoreTest, EveryRunStateIsStored) {
  const RunState states[] = {RunState::kRunning, RunState::kSucceeded, RunState::kFailed,
                             RunState::kCancelled};
  for (RunState state : states) {
    std::string id = "r-" + std::string(RunStateColumn(state));
    Commit({.runs = {MakeRun(id, "p", 1, state)}});
    std::optional<core::PipelineRun> run = GetRun(id);
    ASSERT_TRUE(run.has_value()) << id;
    EXPECT_EQ(run->state, state);
  }
  EXPECT_EQ(RunStateColumn(RunState::kRunning), "RUNNING");  // the partial index's condition
}

// A constraint of the schema (a run's pipeline may not be empty) fails the batch after its
// versions, other runs and jobs were written: none of it may be stored.
TEST_F(PipelineStoreTest, FailedBatchStoresNoVersionRunOrJob) {
  Commit({.pipeline_versions = {MakeVersion("p", 1)}, .runs = {MakeRun("kept", "p", 1)}});
  core::PipelineRun ended = MakeRun("kept", "p", 1, RunState::kSucceeded);
  WriteBatch batch{.jobs = {testing::MakeJob("j", "q", 1)},
                   .pipeline_versions = {MakeVersion("p", 2), MakeVersion("q", 1)},
                   .runs = {ended, MakeRun("new", "p", 9), MakeRun("bad", "", 10)}};
  Status status = store_->Commit(batch);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_NE(status.message().find("CHECK constraint failed"), std::string::npos)
      << status.message();
  EXPECT_NE(status.message().find("run 'bad'"), std::string::npos) << status.message();
  Snapshot snapshot = LoadOrDie(*store_);
  ASSERT_EQ(snapshot.pipeline_versions.size(), 1u);
  EXPECT_EQ(snapshot.pipeline_versions[0].version, 1);
  EXPECT_EQ(ActiveRunIds(*store_), (std::vector<std::string>{"kept"}));
  EXPECT_EQ(snapshot.max_run_seq, 1u);
  EXPECT_FALSE(GetRun("new").has_value());
  Result<std::optional<core::Job>> job = store_->GetJob("j");
  ASSERT_TRUE(job.ok());
  EXPECT_FALSE(job->has_value());
}

TEST_F(PipelineStoreTest, EmptyRunIdIsRefused) {
  Status status = store_->Commit({.runs = {MakeRun("", "p", 1)}});
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_TRUE(ActiveRunIds(*store_).empty());
}

// What a store holds: "version <name>/<version>", "run <id> <state column> <tries>" for every
// run, "job <id>" for active jobs, and the run counter.
std::set<std::string> PipelineContents(SqliteStore& store) {
  std::set<std::string> out;
  Snapshot snapshot = LoadOrDie(store);
  for (const core::PipelineVersion& v : snapshot.pipeline_versions) {
    out.insert("version " + v.name + "/" + std::to_string(v.version));
  }
  Result<RunPage> runs = store.ListRuns({.limit = 100'000});
  EXPECT_TRUE(runs.ok()) << runs.status().ToString();
  if (runs.ok()) {
    for (const core::PipelineRun& run : runs->runs) {
      out.insert("run " + run.id + " " + std::string(RunStateColumn(run.state)) + " " +
                 std::to_string(run.tries));
    }
  }
  for (const core::Job& job : snapshot.active_jobs) out.insert("job " + job.id);
  out.insert("max_run_seq " + std::to_string(snapshot.max_run_seq));
  return out;
}

// PipelineContents(store) after `batch` is committed on a store whose Contents were `before`.
std::set<std::string> ApplyToPipelineContents(std::set<std::string> before, const WriteBatch& batch) {
  uint64_t max_seq = 0;
  for (const std::string& entry : before) {
    if (entry.rfind("max_run_seq ", 0) == 0) max_seq = std::stoull(entry.substr(12));
  }
  before.erase("max_run_seq " + std::to_string(max_seq));
  for (const core::PipelineVersion& v : batch.pipeline_versions) {
    before.insert("version " + v.name + "/" + std::to_string(v.version));
  }
  for (const core::PipelineRun& run : batch.runs) {
    std::erase_if(before,
                  [&](const std::string& e) { return e.rfind("run " + run.id + " ", 0) == 0; });
    before.insert("run " + run.id + " " + std::string(RunStateColumn(run.state)) + " " +
                  std::to_string(run.tries));
    max_seq = std::max(max_seq, run.seq);
  }
  for (const core::Job& job : batch.jobs) before.insert("job " + job.id);
  before.insert("max_run_seq " + std::to_string(max_seq));
  return before;
}

// A loop turn of the pipeline runtime: a new version, a new run with its step jobs, and the
// previous turn's run, which ends.
WriteBatch PipelineBatch(int turn) {
  std::string n = std::to_string(turn);
  WriteBatch batch;
  batch.pipeline_versions = {MakeVersion("p", turn + 1)};
  core::PipelineRun run = testing::FullRun();
  run.id = "run-" + n;
  run.seq = static_cast<uint64_t>(turn) + 1;
  run.state = RunState::kRunning;
  run.steps.clear();
  for (int i = 0; i < 30; ++i) {
    std::string job_id = "job-" + n + "-" + std::to_string(i);
    run.steps.push_back({.name = "step-" + std::to_string(i), .job_id = job_id});
    core::Job job = testing::FullJob();
    job.id = job_id;
    job.parent_id.clear();
    job.array_index.reset();
    batch.jobs.push_back(job);
  }
  batch.runs = {run};
  if (turn > 0) {
    core::PipelineRun previous = MakeRun("run-" + std::to_string(turn - 1), "p", turn);
    previous.state = RunState::kSucceeded;
    previous.tries = 2;
    batch.runs.push_back(previous);
  }
  return batch;
}

// The disk fills up after the N-th write of a commit, for N across every write the commit does:
// a batch of versions, runs and jobs is stored whole or not at all, on this connection and a
// new one.
TEST(PipelineStoreFaultTest, DiskFullDuringAPipelineBatchStoresAllOrNothing) {
  testing::RegisterFaultyVfs();
  TempDir dir;
  std::string path = dir.File("s.db");
  auto store = OpenOrDie(path, {.vfs_name = testing::kFaultyVfsName});
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Commit(PipelineBatch(0)).ok());
  testing::HealFaults();
  ASSERT_TRUE(store->Commit(PipelineBatch(1)).ok());
  int64_t writes = testing::WritesSoFar();
  ASSERT_GT(writes, 3);

  // Until a commit has enough writes to succeed: later batches need a few more than the first.
  int failures = 0;
  bool stored = false;
  for (int64_t n = 0; !stored && n <= 4 * writes; n += std::max<int64_t>(1, writes / 30)) {
    std::set<std::string> before = PipelineContents(*store);
    WriteBatch batch = PipelineBatch(2);
    testing::HealFaults();
    testing::FailWritesAfter(n);
    Status status = store->Commit(batch);
    testing::HealFaults();
    std::set<std::string> after = PipelineContents(*store);
    stored = status.ok();
    if (stored) {
      EXPECT_EQ(after, ApplyToPipelineContents(before, batch)) << "after write " << n;
    } else {
      ++failures;
      EXPECT_EQ(status.code(), StatusCode::kUnavailable) << status.ToString();
      EXPECT_EQ(after, before) << "failing after write " << n;
    }
    auto fresh = OpenOrDie(path);
    ASSERT_NE(fresh, nullptr);
    EXPECT_EQ(PipelineContents(*fresh), after) << "after write " << n;
  }
  EXPECT_GT(failures, 0);
  EXPECT_TRUE(stored);
  EXPECT_TRUE(store->CheckIntegrity().ok());
}

}  // namespace
}  // namespace nightshift::store
