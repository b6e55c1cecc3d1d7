// SqliteStore: the Store kept in one embedded SQLite database file, nightshift's default.
//
// Durability: the file is in WAL mode with synchronous=FULL, so a Commit that returned OK is on
// disk (the WAL is fsync'ed) and survives kill -9 and power loss. Each Commit is one write
// transaction, whatever the size of the batch: that is what makes group commit cheap.
// Layout: see schema.cc (tables and indexes), job_codec.h (what a job's `doc` holds),
// fires_table.h (the fires table) and runs_table.h (the runs table).
//
// Thread-safety: as store.h says for every Store: Commit on one thread (the engine's store
// writer) while the reads run on another (the engine's loop). One connection serves both, guarded
// by a mutex that a Commit holds for its whole transaction: a read waits for the commit in
// progress, if any, and then sees it (one page cache for both; a second connection would have its
// cache dropped by every commit). SyncCommitted and SpaceForWrites never wait for that mutex.
// One process should own a store file at a time; sqlite's file locks keep a second writer from corrupting it
// (its commits wait up to the busy timeout, then fail with kUnavailable) but not from acting on
// stale in-memory state.
// Checkpoints: a Checkpointer (checkpointer.h) copies the WAL into the database file on a
// second connection and thread of its own, unless Options::background_checkpoints is off.
// Ownership: the SqliteStore owns its connections; destroying it closes the file.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "store/access_tables.h"
#include "store/checkpointer.h"
#include "store/events_table.h"
#include "store/sqlite_db.h"
#include "store/store.h"
#include "util/status.h"

namespace nightshift::store {

class SqliteStore final : public Store {
 public:
  struct Options {
    // The sqlite VFS to open the file with; empty = sqlite's default. Tests pass one that
    // injects faults (see faulty_vfs.h).
    std::string vfs_name;
    // How long a write waits for a lock held by another connection before failing.
    int busy_timeout_ms = 5000;
    // Space set aside beside the store (`<path>-reserve`) and given up when the disk fills, so
    // that the commit in progress, whose callers are waiting for it, is still stored; 0: none.
    int64_t reserve_bytes = 8 << 20;
    // Whether the WAL is copied into the file by a Checkpointer (checkpointer.h) rather than by
    // sqlite inside the commit that fills it, and when.
    bool background_checkpoints = true;
    Checkpointer::Options checkpoints;
  };

  // Opens the store at `path`, creating the file and its parent directories if missing, and
  // brings its schema up to date (schema.h). Errors: kConflict when the file is not a nightshift
  // store or was written by a newer nightshift ("store schema version N is newer than this
  // nightshift (M); upgrade nightshift"); kUnavailable when the disk is full or failing, or
  // another process holds the file locked; kInternal otherwise, e.g. when the file is not a
  // database or the directory cannot be created.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path);
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path, const Options& options);

  ~SqliteStore() override;

  // Loads the snapshot in one read transaction. active_jobs are in seq order (then id), array
  // parents and children alike; pipeline_versions in (name, version) order; active_runs in seq
  // order (then id). Errors: kInternal for a corrupt row or a failing read.
  Result<Snapshot> Load() override;

  // Writes the batch in one transaction: compute environments, then their deletions, then job
  // queues and their deletions, then job definitions, then deleted schedules (with their fires),
  // then schedules, then fires, then pipeline versions, then runs, then jobs, then
  // events, their prune and webhook changes (events_table.h), then API tokens and
  // audit records (access_tables.h). Within a kind,
  // entries apply in order, so a later entry for the same key wins. A deletion of a resource
  // applies after every upsert of its kind in the batch; a schedule's deletion applies before
  // them, so that a schedule deleted and re-created in one batch exists afterwards with only the
  // fires of the batch (store.h). Everything is a full replacement; a fire replaces the one with
  // the same (schedule, logical_time, trigger), a pipeline version the one with the same (name,
  // version), a run the one with the same id.
  // On error nothing of the batch is stored. Errors: kUnavailable for a full disk ("disk full:
  // ..."), an I/O error or a lock held too long by another process (the caller may retry the
  // same batch); kInternal otherwise, e.g. a job with an empty id, a fire with an empty
  // schedule, or a run with an empty id or pipeline.
  // The one exception to "nothing is stored": when an fsync of the commit fails ("I/O error:
  // ... the batch may or may not be stored"), the disk may hold the whole batch anyway, and a
  // restart would find it (no database can tell which after a failed fsync). The batch is still
  // all-or-nothing. This store then refuses every later Commit with kUnavailable: the engine
  // should restart and Load() to learn the truth, as PostgreSQL does after a failed fsync.
  // A commit that finds the disk full gives up the reserve (Options::reserve_bytes) and tries
  // once more; SpaceForWrites() then says the disk is full until the reserve is back.
  [[nodiscard]] Status Commit(const WriteBatch& batch) override;

  // Ok while the reserve is in place (or none was asked for). Once a commit has used it, each
  // call tries to set it aside again: kUnavailable ("disk full: ...") until that succeeds, and
  // while a commit runs (which may need the room).
  [[nodiscard]] Status SpaceForWrites() override;

  // fdatasync of the write-ahead log: every committed frame is in it (checkpoints are synced by
  // SQLite itself). Thread-safe with respect to Commit.
  [[nodiscard]] Status SyncCommitted() override;

  // Errors: kInternal for a corrupt row or a failing read. A missing job is nullopt, not an error.
  Result<std::optional<core::Job>> GetJob(const std::string& id) override;

  // See JobQuery. Errors: kInvalidArgument when the query names neither or both of a queue and an
  // array parent, or its page token is invalid ("invalid nextToken"); kInternal as GetJob.
  Result<JobPage> ListJobs(const JobQuery& query) override;

  // See FireQuery; the order and the page tokens are described in fires_table.h. A schedule
  // without fires, or one that does not exist, has an empty page. Errors: kInvalidArgument when
  // the query names no schedule or its page token is invalid ("invalid nextToken"); kInternal
  // for a corrupt row or a failing read.
  Result<FirePage> ListFires(const FireQuery& query) override;

  // Errors: kInternal as ListFires. A missing fire is nullopt, not an error.
  Result<std::optional<core::Fire>> GetFire(const std::string& schedule, TimeMs logical_time,
                                            core::FireTrigger trigger) override;

  // Errors: kInternal for a corrupt row or a failing read. A missing run is nullopt, not an error.
  Result<std::optional<core::PipelineRun>> GetRun(const std::string& id) override;

  // See RunQuery; the order and the page tokens are described in runs_table.h. A pipeline
  // without runs, or one that does not exist, has an empty page. Errors: kInvalidArgument when
  // the page token is invalid ("invalid nextToken"); kInternal as GetRun.
  Result<RunPage> ListRuns(const RunQuery& query) override;

  // Errors: kInternal for a corrupt row or a failing read.
  Result<std::vector<JobCount>> CountJobs() override;
  Result<std::vector<core::Event>> ListEvents(uint64_t after_id, int limit) override;
  Result<std::vector<core::WebhookDelivery>> ListDeliveries(const std::string& subscription, int limit) override;
  // See AuditQuery and access_tables.h. Errors: kInvalidArgument for a bad page token ("invalid
  // next_token"); kInternal for a failing read.
  Result<AuditPage> ListAudit(const AuditQuery& query) override;

  // Runs sqlite's full consistency check (PRAGMA integrity_check): reads the whole file, so it
  // takes seconds on a large store. Errors: kInternal listing the first problems found.
  Status CheckIntegrity();

  const std::string& path() const { return path_; }

  // Passes of the background checkpointer; all zero without one.
  Checkpointer::Stats checkpoint_stats() const;
  // From checkpoint_stats(); nullopt without background checkpoints.
  std::optional<WalStats> GetWalStats() override;

 private:
  struct Statements;

  SqliteStore(std::string path, Database db);

  Status PrepareStatements();
  Result<Snapshot> ReadSnapshot();
  Result<std::vector<core::Job>> ReadActiveJobs();
  Status ReadCounters(Snapshot& snapshot);  // max_job_seq and max_run_seq
  Status CommitOnce(const WriteBatch& batch);
  Status WriteBatchContents(const WriteBatch& batch);
  Status SetAsideReserve();
  Status SetDurability(Durability durability);
  Status WriteResources(const WriteBatch& batch);
  Status WriteSchedules(const WriteBatch& batch);
  Status DeleteSchedule(const std::string& key);
  Status WriteFire(const core::Fire& fire);
  Status WritePipelines(const WriteBatch& batch);
  Status WritePipelineVersion(const core::PipelineVersion& version);
  Status WriteRun(const core::PipelineRun& run);
  Status WriteJobs(const std::vector<core::Job>& jobs);
  Status WriteJob(const core::Job& job, std::optional<std::string_view> encoded_spec);
  Result<Statement*> ListStatement(const std::string& sql);

  // Held by Commit for its whole transaction and by every read: guards the connection, its
  // statements, doc_buffer_, durability_ and writes_refused_. path_, wal_fd_ and reserve_bytes_
  // do not change after Open; reserve_used_ is read without it.
  mutable std::mutex mu_;
  std::string path_;
  Database db_;
  std::unique_ptr<Statements> statements_;
  std::unique_ptr<EventTables> event_tables_;
  std::unique_ptr<AccessTables> access_tables_;
  // ListJobs statements, by SQL text: one per query shape in use.
  std::unordered_map<std::string, Statement> list_statements_;
  std::string doc_buffer_;  // reused by WriteJob to encode docs without reallocating
  Durability durability_ = Durability::kPowerLoss;  // matches the PRAGMA set at open
  int wal_fd_ = -1;  // the -wal file, for SyncCommitted; written only in Open and the destructor
  Status writes_refused_;   // set once a commit's outcome is unknown; see Commit
  int wal_frames_ = 0;      // the WAL's size after the last commit, written by sqlite (guarded by mu_)
  std::unique_ptr<Checkpointer> checkpointer_;  // null without background checkpoints
  int64_t reserve_bytes_ = 0;
  std::atomic<bool> reserve_used_{false};  // a commit gave the reserve up and it is not back yet
};

}  // namespace nightshift::store
