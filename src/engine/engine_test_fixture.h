// The engine under test: a real SQLite store in a temp dir (wrapped for fault injection), a fake
// executor and a fake clock. Shared by the engine's test files.
#pragma once

#include <utility>  // Boost 1.74's asio needs std::exchange declared first under GCC 12.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "store/sqlite_store.h"
#include "testing/fake_executor.h"

namespace nightshift::engine {

// A fake clock's start for tests of schedules and pipelines: 2027-01-01T00:00:00Z.
inline constexpr TimeMs kMidnight = 1'798'761'600'000;

// Fault injection by wrapping: a store whose commits or flushes fail on demand, and whose
// commits can be held at a gate, so that a test sees the engine while a batch is with its writer.
// Thread-safety: Commit runs on the engine's writer thread, the rest on the test's.
class FlakyStore final : public store::Store {
 public:
  explicit FlakyStore(store::Store& base) : base_(base) {}
  Result<store::Snapshot> Load() override { return base_.Load(); }
  Status Commit(const store::WriteBatch& batch) override {
    {
      std::unique_lock lock(gate_mu_);
      ++commits_arrived_;
      gate_.notify_all();
      gate_.wait(lock, [&] { return !hold_; });
    }
    if (fail_commits_) return Status::Unavailable("disk I/O error");
    return base_.Commit(batch);
  }
  // Commits wait at the gate from now on, until ReleaseCommits().
  void HoldCommits() {
    std::lock_guard lock(gate_mu_);
    hold_ = true;
    held_from_ = commits_arrived_;
  }
  void ReleaseCommits() {
    std::lock_guard lock(gate_mu_);
    hold_ = false;
    gate_.notify_all();
  }
  // Waits (up to `wait`) until a commit has reached the gate since HoldCommits(); false if none did.
  bool WaitForHeldCommit(std::chrono::milliseconds wait = std::chrono::seconds(5)) {
    std::unique_lock lock(gate_mu_);
    return gate_.wait_for(lock, wait, [&] { return commits_arrived_ > held_from_; });
  }
  Status SyncCommitted() override {
    ++syncs_;
    if (fail_syncs_) return Status::Unavailable("fdatasync: Input/output error");
    return base_.SyncCommitted();
  }
  int syncs() const { return syncs_; }
  Status SpaceForWrites() override {
    if (short_of_space_) return Status::Unavailable("disk full: no room");
    return base_.SpaceForWrites();
  }
  Result<std::optional<core::Job>> GetJob(const std::string& id) override { return base_.GetJob(id); }
  Result<store::JobPage> ListJobs(const store::JobQuery& q) override { return base_.ListJobs(q); }
  Result<std::vector<store::JobCount>> CountJobs() override { return base_.CountJobs(); }
  Result<store::FirePage> ListFires(const store::FireQuery& q) override { return base_.ListFires(q); }
  Result<std::optional<core::Fire>> GetFire(const std::string& schedule, TimeMs logical_time,
                                            core::FireTrigger trigger) override {
    return base_.GetFire(schedule, logical_time, trigger);
  }
  Result<std::optional<core::PipelineRun>> GetRun(const std::string& id) override {
    return base_.GetRun(id);
  }
  Result<store::RunPage> ListRuns(const store::RunQuery& q) override { return base_.ListRuns(q); }
  Result<std::vector<core::Event>> ListEvents(uint64_t after_id, int limit) override {
    return base_.ListEvents(after_id, limit);
  }
  Result<std::vector<core::WebhookDelivery>> ListDeliveries(const std::string& id, int limit) override {
    return base_.ListDeliveries(id, limit);
  }
  Result<store::AuditPage> ListAudit(const store::AuditQuery& query) override { return base_.ListAudit(query); }
  void set_fail_syncs(bool fail) { fail_syncs_ = fail; }
  void set_fail_commits(bool fail) { fail_commits_ = fail; }
  void set_short_of_space(bool short_of_space) { short_of_space_ = short_of_space; }

 private:
  store::Store& base_;
  std::atomic<bool> fail_syncs_{false};    // read on the engine's syncer thread
  std::atomic<int> syncs_{0};              // SyncCommitted calls, counted on that thread
  std::atomic<bool> fail_commits_{false};  // read on the engine's writer thread
  std::mutex gate_mu_;
  std::condition_variable gate_;
  bool hold_ = false;
  uint64_t commits_arrived_ = 0;
  uint64_t held_from_ = 0;  // commits_arrived_ when HoldCommits() was called
  bool short_of_space_ = false;
};

// The engine with a real SQLite store in a temp dir, a fake executor and a fake clock.
class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/nightshift-engine-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    OpenAndStart();
  }
  void TearDown() override {
    if (flaky_) flaky_->ReleaseCommits();  // a test that failed holding them: the writer ends
    engine_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Called on each new engine before Start().
  virtual void Configure(Engine& engine) {}

  // Opens the store and starts a new engine on it. Called again, it is a restart after a crash:
  // the old engine is dropped without committing what it had not committed.
  void OpenAndStart() {
    engine_.reset();
    store_.reset();
    io_ = std::make_unique<boost::asio::io_context>();
    executor_ = std::make_unique<testing::FakeExecutor>();
    executor_->set_default_adopt_result(adopt_result_);
    executor_->set_records_launches(records_launches_);
    executor_->set_unclaimed_launches(unclaimed_launches_);
    auto store = store::SqliteStore::Open(dir_ + "/nightshift.db");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    flaky_ = std::make_unique<FlakyStore>(*store_);
    EngineOptions options;
    options.default_vcpus = 2;
    engine_ = std::make_unique<Engine>(*io_, *flaky_, *executor_, clock_, options);
    Configure(*engine_);
    ASSERT_TRUE(engine_->Start().ok());
    Drain();
  }

  // Runs every ready handler (the loop turns) until the loop is idle and the engine has no
  // fsync in flight and no commit waiting for one (the syncer thread answers on the loop).
  void Drain() {
    io_->restart();
    io_->poll();
    for (int i = 0; i < 500 && engine_ && !engine_->Settled(); ++i) {
      io_->restart();
      io_->run_one_for(std::chrono::milliseconds(10));
    }
    io_->restart();
    io_->poll();
  }

  // Runs the loop, timers included, until pred holds or 5 s have passed; returns pred().
  bool RunUntil(const std::function<bool()>& pred) {
    for (int i = 0; i < 500 && !pred(); ++i) {
      io_->restart();
      io_->run_one_for(std::chrono::milliseconds(10));
    }
    return pred();
  }

  // Runs the loop, timers included (a batch nobody waits for is handed off after kCoalesceDelay),
  // until a commit reaches the gate of HoldCommits(); false if none did within 5 s.
  bool RunUntilCommitHeld() {
    return RunUntil([&] { return flaky_->WaitForHeldCommit(std::chrono::milliseconds(0)); });
  }

  std::string Submit(const std::string& name, std::vector<core::Dependency> deps = {}) {
    SubmitJobRequest r;
    r.job_name = name;
    r.job_queue = "default";
    r.job_definition = "def";
    r.depends_on = std::move(deps);
    Result<core::Job> job = engine_->SubmitJob(r);
    EXPECT_TRUE(job.ok()) << job.status().ToString();
    return job.ok() ? job->id : "";
  }

  // An array job of `size` children; returns the parent.
  core::Job SubmitArray(const std::string& name, int size, const std::string& definition = "def") {
    SubmitJobRequest r;
    r.job_name = name;
    r.job_queue = "default";
    r.job_definition = definition;
    r.array_size = size;
    Result<core::Job> parent = engine_->SubmitJob(r);
    EXPECT_TRUE(parent.ok()) << parent.status().ToString();
    return parent.ok() ? *parent : core::Job{};
  }

  void RegisterDefinition() {
    core::JobDefinition d;
    d.name = "def";
    d.spec.command = {"true"};
    ASSERT_TRUE(engine_->RegisterJobDefinition(d).ok());
  }

  core::JobState StoredState(const std::string& id) {
    auto job = store_->GetJob(id);
    EXPECT_TRUE(job.ok() && *job) << id;
    return job.ok() && *job ? (*job)->state : core::JobState::kSubmitted;
  }

  std::string dir_;
  FakeClock clock_;
  std::unique_ptr<boost::asio::io_context> io_;
  std::unique_ptr<testing::FakeExecutor> executor_;
  exec::AdoptResult adopt_result_ = exec::AdoptResult::kRunning;  // the next executor's answer to Adopt
  bool records_launches_ = false;                      // the next executor's RecordsLaunches()
  std::vector<exec::AttemptKey> unclaimed_launches_;  // and UnclaimedLaunches()
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<FlakyStore> flaky_;
  std::unique_ptr<Engine> engine_;
};

}  // namespace nightshift::engine
