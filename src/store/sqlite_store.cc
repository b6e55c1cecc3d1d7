#include "store/sqlite_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "store/fires_table.h"
#include "store/job_codec.h"
#include "store/job_list_query.h"
#include "store/jobs_table.h"
#include "store/pipeline_codec.h"
#include "store/resource_codec.h"
#include "store/runs_table.h"
#include "store/schedule_codec.h"
#include "store/schema.h"

namespace nightshift::store {

// Every statement but ListJobs', prepared once when the store opens.
struct SqliteStore::Statements {
  Statement upsert_job;
  Statement select_job;
  Statement select_active_jobs;
  Statement bump_max_job_seq;
  Statement select_counters;
  Statement upsert_compute_environment;
  Statement delete_compute_environment;
  Statement select_compute_environments;
  Statement upsert_job_queue;
  Statement delete_job_queue;
  Statement select_job_queues;
  Statement upsert_job_definition;
  Statement select_job_definitions;
  Statement upsert_schedule;
  Statement delete_schedule;
  Statement select_schedules;
  Statement upsert_fire;
  Statement delete_fires_of_schedule;
  Statement select_fire;
  Statement list_fires;
  Statement upsert_pipeline_version;
  Statement select_pipeline_versions;
  Statement upsert_run;
  Statement bump_max_run_seq;
  Statement select_run;
  Statement select_active_runs;
  Statement list_runs;
  Statement list_runs_of_pipeline;
};

namespace {

// Beyond this many distinct ListJobs query shapes, the cache starts over.
constexpr size_t kMaxListStatements = 256;

Status CreateParentDirectory(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) return Status::Ok();
  std::error_code error;
  std::filesystem::create_directories(parent, error);
  if (!error) return Status::Ok();
  return Status::Internal("cannot create store directory " + parent.string() + ": " +
                          error.message());
}

// The connection settings every store runs with; see sqlite_store.h for why.
Status Configure(Database& db, const std::string& path, const SqliteStore::Options& options) {
  NS_RETURN_IF_ERROR(db.Exec("PRAGMA busy_timeout = " + std::to_string(options.busy_timeout_ms)));
  Result<Statement> wal = db.Prepare("PRAGMA journal_mode = WAL");
  if (!wal.ok()) return wal.status();
  Result<bool> row = wal->Step();
  if (!row.ok()) return row.status();
  if (!*row || wal->ColumnText(0) != "wal") {
    return Status::Internal("cannot put the store " + path + " in WAL mode");
  }
  // FULL: the WAL is fsync'ed at every commit, so an acknowledged commit survives power loss.
  // cache_size: 16 MiB keeps the hot index pages of a million-job store in memory (DescribeJobs
  // p99 0.37 ms there, 0.30 ms with 64 MiB). A larger cache costs the writer more than it saves:
  // it fills with pages written once (events), and filling and cycling it costs each durable
  // SubmitJob ~11 % more server CPU with 64 MiB (bench/batch_bench.py submit).
  // journal_size_limit: a huge batch (an array of 100,000 children) grows the WAL; truncate it
  // back after checkpoints. Foreign keys stay off: a job outlives its queue in the history.
  // wal_autocheckpoint, for a store without background checkpoints (Options): the commit that
  // fills the WAL copies it into the file, in the writer's time; with 10,000 pages (40 MiB)
  // instead of sqlite's 1,000 that happens a tenth as often and copies each hot page (an index's
  // last leaf, rewritten by every commit) once per ten times as many commits. Measured: a commit
  // of SubmitJob's load takes ~480 us instead of ~560 us, and SubmitJob/s rose ~3 % (alternating
  // 10-s wrk runs, medians of 5). A restart after a crash reads the WAL back: 40 MiB at most.
  return db.Exec(
      "PRAGMA synchronous = FULL; PRAGMA foreign_keys = OFF; PRAGMA cache_size = -16384; "
      "PRAGMA journal_size_limit = 67108864; PRAGMA temp_store = MEMORY; "
      "PRAGMA wal_autocheckpoint = 10000;");
}

// Adds what was being written to an error, keeping its code and its leading category.
Status WithContext(const Status& status, const std::string& context) {
  return Status(status.code(), status.message() + " (writing " + context + ")");
}

template <typename T>
using Decoder = Result<T> (*)(std::string_view doc);

// Moves the value of `result` into `target`, or returns its error.
template <typename T>
Status Take(Result<T> result, T& target) {
  if (!result.ok()) return result.status();
  target = std::move(result).value();
  return Status::Ok();
}

// Reads every row of a `SELECT doc FROM ...` statement.
template <typename T>
Result<std::vector<T>> ReadDocs(Statement& select, Decoder<T> decode) {
  return ReadAllRows<T>(select, [decode](Statement& s) { return decode(s.ColumnBlob(0)); });
}

// Reads the one row, if any, of a `SELECT doc FROM ... WHERE <key> = ?1` statement.
template <typename T>
Result<std::optional<T>> ReadOneDoc(Statement& select, Decoder<T> decode, const std::string& key) {
  ScopedReset reset(select);
  select.BindText(1, key);
  Result<bool> row = select.Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<T>();
  Result<T> value = decode(select.ColumnBlob(0));
  if (!value.ok()) return value.status();
  return std::optional<T>(std::move(value).value());
}

Status Upsert(Statement& upsert, const std::string& key, const std::string& doc) {
  upsert.BindText(1, key);
  upsert.BindBlob(2, doc);
  Status status = upsert.Run();
  return status.ok() ? status : WithContext(status, key);
}

Status UpsertDefinition(Statement& upsert, const core::JobDefinition& definition) {
  std::string doc = EncodeJobDefinition(definition);
  upsert.BindText(1, definition.name);
  upsert.BindInt(2, definition.revision);
  upsert.BindBlob(3, doc);
  Status status = upsert.Run();
  if (status.ok()) return status;
  return WithContext(status, definition.name + ":" + std::to_string(definition.revision));
}

Status Delete(Statement& remove, const std::string& key) {
  remove.BindText(1, key);
  Status status = remove.Run();
  return status.ok() ? status : WithContext(status, "deletion of " + key);
}

void BindParam(Statement& statement, const SqlParam& param) {
  int index = statement.ParameterIndex(param.name.c_str());
  if (const auto* number = std::get_if<int64_t>(&param.value)) {
    statement.BindInt(index, *number);
  } else {
    statement.BindText(index, std::get<std::string>(param.value));
  }
}

}  // namespace

SqliteStore::SqliteStore(std::string path, Database db)
    : path_(std::move(path)), db_(std::move(db)), statements_(std::make_unique<Statements>()) {}

SqliteStore::~SqliteStore() {
  if (wal_fd_ >= 0) ::close(wal_fd_);
}

Checkpointer::Stats SqliteStore::checkpoint_stats() const {
  return checkpointer_ != nullptr ? checkpointer_->stats() : Checkpointer::Stats();
}

std::optional<WalStats> SqliteStore::GetWalStats() {
  if (checkpointer_ == nullptr) return std::nullopt;
  Checkpointer::Stats stats = checkpointer_->stats();
  return WalStats{.pages = stats.wal_frames,
                  .background_checkpoints = stats.passes,
                  .writer_checkpoints = stats.writer_checkpoints,
                  .failed_checkpoints = stats.failed_passes};
}

Status SqliteStore::SyncCommitted() {
  if (wal_fd_ < 0) return Status::Unavailable("store " + path_ + ": write-ahead log not open");
  while (::fdatasync(wal_fd_) != 0) {
    if (errno != EINTR) return Status::Unavailable("fdatasync " + path_ + "-wal: " + std::strerror(errno));
  }
  return Status::Ok();
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path) {
  return Open(path, Options());
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path,
                                                       const Options& options) {
  NS_RETURN_IF_ERROR(CreateParentDirectory(path));
  Result<Database> db = Database::Open(path, options.vfs_name);
  if (!db.ok()) return db.status();
  NS_RETURN_IF_ERROR(Configure(*db, path, options));
  NS_RETURN_IF_ERROR(MigrateSchema(*db));
  std::unique_ptr<SqliteStore> store(new SqliteStore(path, std::move(db).value()));
  NS_RETURN_IF_ERROR(store->PrepareStatements());
  // The schema migration wrote through the WAL, so the file exists; it keeps its inode for the
  // connection's life (sqlite resets it in place after checkpoints).
  store->wal_fd_ = ::open((path + "-wal").c_str(), O_RDONLY | O_CLOEXEC);
  if (store->wal_fd_ < 0) {
    return Status::Internal("cannot open " + path + "-wal: " + std::strerror(errno));
  }
  if (options.background_checkpoints) {
    Result<std::unique_ptr<Checkpointer>> checkpointer =
        Checkpointer::Start(path, options.vfs_name, options.checkpoints);
    if (!checkpointer.ok()) return checkpointer.status();
    store->checkpointer_ = std::move(checkpointer).value();
    store->db_.TrackWalFrames(&store->wal_frames_);
  }
  store->reserve_bytes_ = options.reserve_bytes;
  // On a disk already full the store opens without its reserve, and says so when asked.
  if (Status st = store->SetAsideReserve(); !st.ok()) store->reserve_used_ = true;
  return store;
}

Status SqliteStore::PrepareStatements() {
  const std::pair<Statement*, std::string_view> all[] = {
      {&statements_->upsert_job, kUpsertJobSql},
      {&statements_->select_job, kSelectJobByIdSql},
      {&statements_->select_active_jobs, kSelectActiveJobsSql},
      // Only when it grows: a transaction that adds no job (most, once jobs run) leaves the page alone.
      {&statements_->bump_max_job_seq,
       "UPDATE store_counters SET max_job_seq = ?1 WHERE singleton = 1 AND max_job_seq < ?1"},
      // max_event_id is raised at prunes only: the newest id may be in events (schema.cc, version 6).
      {&statements_->select_counters,
       "SELECT max_job_seq, max_run_seq, max(max_event_id, coalesce((SELECT max(id) FROM events), 0)) "
       "FROM store_counters"},
      {&statements_->upsert_compute_environment,
       "INSERT INTO compute_environments (name, doc) VALUES (?1, ?2) "
       "ON CONFLICT (name) DO UPDATE SET doc = excluded.doc"},
      {&statements_->delete_compute_environment,
       "DELETE FROM compute_environments WHERE name = ?1"},
      {&statements_->select_compute_environments,
       "SELECT doc FROM compute_environments ORDER BY name"},
      {&statements_->upsert_job_queue,
       "INSERT INTO job_queues (name, doc) VALUES (?1, ?2) "
       "ON CONFLICT (name) DO UPDATE SET doc = excluded.doc"},
      {&statements_->delete_job_queue, "DELETE FROM job_queues WHERE name = ?1"},
      {&statements_->select_job_queues, "SELECT doc FROM job_queues ORDER BY name"},
      {&statements_->upsert_job_definition,
       "INSERT INTO job_definitions (name, revision, doc) VALUES (?1, ?2, ?3) "
       "ON CONFLICT (name, revision) DO UPDATE SET doc = excluded.doc"},
      {&statements_->select_job_definitions,
       "SELECT doc FROM job_definitions ORDER BY name, revision"},
      {&statements_->upsert_schedule,
       "INSERT INTO schedules (key, doc) VALUES (?1, ?2) "
       "ON CONFLICT (key) DO UPDATE SET doc = excluded.doc"},
      {&statements_->delete_schedule, "DELETE FROM schedules WHERE key = ?1"},
      {&statements_->select_schedules, "SELECT doc FROM schedules ORDER BY key"},
      {&statements_->upsert_fire, kUpsertFireSql},
      {&statements_->delete_fires_of_schedule, kDeleteFiresOfScheduleSql},
      {&statements_->select_fire, kSelectFireSql},
      {&statements_->list_fires, kListFiresSql},
      {&statements_->upsert_pipeline_version,
       "INSERT INTO pipeline_versions (name, version, doc) VALUES (?1, ?2, ?3) "
       "ON CONFLICT (name, version) DO UPDATE SET doc = excluded.doc"},
      {&statements_->select_pipeline_versions,
       "SELECT doc FROM pipeline_versions ORDER BY name, version"},
      {&statements_->upsert_run, kUpsertRunSql},
      {&statements_->bump_max_run_seq,
       "UPDATE store_counters SET max_run_seq = ?1 WHERE singleton = 1 AND max_run_seq < ?1"},
      {&statements_->select_run, kSelectRunSql},
      {&statements_->select_active_runs, kSelectActiveRunsSql},
      {&statements_->list_runs, kListRunsSql},
      {&statements_->list_runs_of_pipeline, kListRunsOfPipelineSql},
  };
  NS_RETURN_IF_ERROR(db_.PrepareAll(all));
  Result<EventTables> event_tables = EventTables::Prepare(db_);
  if (!event_tables.ok()) return event_tables.status();
  event_tables_ = std::make_unique<EventTables>(std::move(event_tables).value());
  Result<AccessTables> access_tables = AccessTables::Prepare(db_);
  if (!access_tables.ok()) return access_tables.status();
  access_tables_ = std::make_unique<AccessTables>(std::move(access_tables).value());
  return Status::Ok();
}

// ---- Commit ----

Status SqliteStore::Commit(const WriteBatch& batch) {
  std::lock_guard lock(mu_);
  if (!writes_refused_.ok()) return writes_refused_;
  if (batch.empty()) return Status::Ok();
  Status status = CommitOnce(batch);
  if (!IsDiskFull(status) || reserve_used_ || reserve_bytes_ == 0) return status;
  // Its callers wait for this batch: store it in the space kept for this moment, and have new
  // changes refused (SpaceForWrites) until the disk has room again.
  reserve_used_ = true;
  std::error_code ignored;
  std::filesystem::remove(path_ + "-reserve", ignored);
  return CommitOnce(batch);
}

Status SqliteStore::SpaceForWrites() {
  if (!reserve_used_) return Status::Ok();
  // Not while a commit runs: the room it was given is its own (and the caller must not wait).
  if (std::unique_lock lock(mu_, std::try_to_lock); lock.owns_lock() && SetAsideReserve().ok()) {
    reserve_used_ = false;
    return Status::Ok();
  }
  return Status::Unavailable("disk full: the store at " + path_ +
                             " takes no new changes until its disk has room again");
}

// The reserve is a file of reserve_bytes_ allocated blocks: freeing it gives sqlite that much room.
Status SqliteStore::SetAsideReserve() {
  if (reserve_bytes_ == 0) return Status::Ok();
  const std::string path = path_ + "-reserve";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Unavailable("cannot create " + path + ": " + std::strerror(errno));
  int rc = 0;
  while ((rc = ::posix_fallocate(fd, 0, reserve_bytes_)) == EINTR) {
  }
  ::close(fd);
  if (rc == 0) return Status::Ok();
  ::unlink(path.c_str());  // what it got is better left to sqlite
  return Status::Unavailable("disk full: cannot set aside " + path + ": " + std::strerror(rc));
}

Status SqliteStore::CommitOnce(const WriteBatch& batch) {
  NS_RETURN_IF_ERROR(SetDurability(batch.durability));
  Result<WriteTransaction> txn = WriteTransaction::Begin(db_);
  if (!txn.ok()) return txn.status();
  NS_RETURN_IF_ERROR(WriteBatchContents(batch));  // on error, txn's destructor rolls back
  Status status = txn->Commit();
  if (status.ok() && checkpointer_ != nullptr && checkpointer_->AfterCommit(wal_frames_)) {
    // A failure changes nothing: the frames stay in the WAL for the next pass.
    (void)db_.CheckpointPassive();
  }
  if (!txn->outcome_unknown()) return status;
  // This connection no longer sees the batch, but the file may hold it after a recovery. Any
  // later commit would build on a state that may not be the one on disk: stop here.
  writes_refused_ = Status::Unavailable(
      "store " + path_ + " refuses writes after an I/O error left a commit's outcome unknown (" +
      status.message() + "); restart nightshift to reload the store");
  return Status::Unavailable(status.message() +
                             "; the batch may or may not be stored: reopen the store to know");
}

// WAL with synchronous=NORMAL is consistent after a process crash and only loses the newest
// commits on an OS crash; FULL also fsyncs the WAL at every commit.
Status SqliteStore::SetDurability(Durability durability) {
  if (durability == durability_) return Status::Ok();
  NS_RETURN_IF_ERROR(db_.Exec(durability == Durability::kPowerLoss ? "PRAGMA synchronous = FULL"
                                                                   : "PRAGMA synchronous = NORMAL"));
  durability_ = durability;
  return Status::Ok();
}

Status SqliteStore::WriteBatchContents(const WriteBatch& batch) {
  NS_RETURN_IF_ERROR(WriteResources(batch));
  NS_RETURN_IF_ERROR(WriteSchedules(batch));
  NS_RETURN_IF_ERROR(WritePipelines(batch));
  NS_RETURN_IF_ERROR(WriteJobs(batch.jobs));
  NS_RETURN_IF_ERROR(event_tables_->Write(batch));
  return access_tables_->Write(batch);
}

Status SqliteStore::WriteResources(const WriteBatch& batch) {
  Statements& s = *statements_;
  for (const core::ComputeEnvironment& ce : batch.compute_environments) {
    NS_RETURN_IF_ERROR(Upsert(s.upsert_compute_environment, ce.name, EncodeComputeEnvironment(ce)));
  }
  for (const std::string& name : batch.deleted_compute_environments) {
    NS_RETURN_IF_ERROR(Delete(s.delete_compute_environment, name));
  }
  for (const core::JobQueue& queue : batch.job_queues) {
    NS_RETURN_IF_ERROR(Upsert(s.upsert_job_queue, queue.name, EncodeJobQueue(queue)));
  }
  for (const std::string& name : batch.deleted_job_queues) {
    NS_RETURN_IF_ERROR(Delete(s.delete_job_queue, name));
  }
  for (const core::JobDefinition& definition : batch.job_definitions) {
    NS_RETURN_IF_ERROR(UpsertDefinition(s.upsert_job_definition, definition));
  }
  return Status::Ok();
}

// Deletions first: see Commit in sqlite_store.h.
Status SqliteStore::WriteSchedules(const WriteBatch& batch) {
  for (const std::string& key : batch.deleted_schedules) NS_RETURN_IF_ERROR(DeleteSchedule(key));
  for (const core::Schedule& schedule : batch.schedules) {
    std::string key = core::ScheduleKey(schedule);
    NS_RETURN_IF_ERROR(Upsert(statements_->upsert_schedule, key, EncodeSchedule(schedule)));
  }
  for (const core::Fire& fire : batch.fires) NS_RETURN_IF_ERROR(WriteFire(fire));
  return Status::Ok();
}

Status SqliteStore::DeleteSchedule(const std::string& key) {
  NS_RETURN_IF_ERROR(Delete(statements_->delete_schedule, key));
  return Delete(statements_->delete_fires_of_schedule, key);
}

Status SqliteStore::WriteFire(const core::Fire& fire) {
  std::string doc = EncodeFire(fire);
  BindFireRow(statements_->upsert_fire, fire, doc);
  Status status = statements_->upsert_fire.Run();
  if (status.ok()) return status;
  return WithContext(status,
                     "fire of '" + fire.schedule + "' at " + std::to_string(fire.logical_time));
}

Status SqliteStore::WritePipelines(const WriteBatch& batch) {
  for (const core::PipelineVersion& version : batch.pipeline_versions) {
    NS_RETURN_IF_ERROR(WritePipelineVersion(version));
  }
  if (batch.runs.empty()) return Status::Ok();
  uint64_t max_seq = 0;
  for (const core::PipelineRun& run : batch.runs) {
    NS_RETURN_IF_ERROR(WriteRun(run));
    max_seq = std::max(max_seq, run.seq);
  }
  statements_->bump_max_run_seq.BindInt(1, static_cast<int64_t>(max_seq));
  return statements_->bump_max_run_seq.Run();
}

Status SqliteStore::WritePipelineVersion(const core::PipelineVersion& version) {
  Statement& upsert = statements_->upsert_pipeline_version;
  std::string doc = EncodePipelineVersion(version);
  upsert.BindText(1, version.name);
  upsert.BindInt(2, version.version);
  upsert.BindBlob(3, doc);
  Status status = upsert.Run();
  if (status.ok()) return status;
  return WithContext(status,
                     "pipeline '" + version.name + "' version " + std::to_string(version.version));
}

Status SqliteStore::WriteRun(const core::PipelineRun& run) {
  std::string doc = EncodeRun(run);
  BindRunRow(statements_->upsert_run, run, doc);
  Status status = statements_->upsert_run.Run();
  return status.ok() ? status : WithContext(status, "run '" + run.id + "'");
}

Status SqliteStore::WriteJobs(const std::vector<core::Job>& jobs) {
  if (jobs.empty()) return Status::Ok();
  // Array children share their parent's JobSpec: encode each distinct spec once per batch.
  std::unordered_map<const core::JobSpec*, std::string> encoded_specs;
  // A job that changed in several turns of the batch is in it once per turn: only its latest
  // version (the last) is written.
  std::unordered_set<std::string_view> written;
  written.reserve(jobs.size());
  uint64_t max_seq = 0;
  for (auto it = jobs.rbegin(); it != jobs.rend(); ++it) {
    const core::Job& job = *it;
    if (!written.insert(job.id).second) continue;
    std::optional<std::string_view> spec;
    if (job.spec) {
      auto [it, inserted] = encoded_specs.try_emplace(job.spec.get());
      if (inserted) it->second = EncodeJobSpec(*job.spec);
      spec = it->second;
    }
    NS_RETURN_IF_ERROR(WriteJob(job, spec));
    max_seq = std::max(max_seq, job.seq);
  }
  statements_->bump_max_job_seq.BindInt(1, static_cast<int64_t>(max_seq));
  return statements_->bump_max_job_seq.Run();
}

Status SqliteStore::WriteJob(const core::Job& job, std::optional<std::string_view> encoded_spec) {
  doc_buffer_.clear();
  AppendJobDoc(job, encoded_spec, doc_buffer_);
  BindJobRow(statements_->upsert_job, job, doc_buffer_);
  Status status = statements_->upsert_job.Run();
  return status.ok() ? status : WithContext(status, "job '" + job.id + "'");
}

// ---- Reads ----

Result<Snapshot> SqliteStore::Load() {
  std::lock_guard lock(mu_);
  // One read transaction: every table as of the same commit.
  NS_RETURN_IF_ERROR(db_.Exec("BEGIN"));
  Result<Snapshot> snapshot = ReadSnapshot();
  Status end = db_.Exec("COMMIT");
  if (snapshot.ok() && !end.ok()) return end;
  return snapshot;
}

Result<Snapshot> SqliteStore::ReadSnapshot() {
  Statements& s = *statements_;
  Snapshot snapshot;
  NS_RETURN_IF_ERROR(Take(ReadDocs(s.select_compute_environments, DecodeComputeEnvironment),
                          snapshot.compute_environments));
  NS_RETURN_IF_ERROR(Take(ReadDocs(s.select_job_queues, DecodeJobQueue), snapshot.job_queues));
  NS_RETURN_IF_ERROR(
      Take(ReadDocs(s.select_job_definitions, DecodeJobDefinition), snapshot.job_definitions));
  NS_RETURN_IF_ERROR(Take(ReadDocs(s.select_schedules, DecodeSchedule), snapshot.schedules));
  NS_RETURN_IF_ERROR(Take(ReadDocs(s.select_pipeline_versions, DecodePipelineVersion),
                          snapshot.pipeline_versions));
  NS_RETURN_IF_ERROR(Take(ReadDocs(s.select_active_runs, DecodeRun), snapshot.active_runs));
  NS_RETURN_IF_ERROR(Take(ReadActiveJobs(), snapshot.active_jobs));
  NS_RETURN_IF_ERROR(Take(event_tables_->Webhooks(), snapshot.webhooks));
  NS_RETURN_IF_ERROR(Take(access_tables_->Tokens(), snapshot.api_tokens));
  NS_RETURN_IF_ERROR(ReadCounters(snapshot));
  return snapshot;
}

Result<std::vector<core::Job>> SqliteStore::ReadActiveJobs() {
  Statement& select = statements_->select_active_jobs;
  ScopedReset reset(select);
  SpecInterner specs;
  std::vector<core::Job> jobs;
  for (;;) {
    Result<bool> row = select.Step();
    if (!row.ok()) return row.status();
    if (!*row) return jobs;
    Result<core::Job> job = ReadJobRow(select, specs);
    if (!job.ok()) return job.status();
    jobs.push_back(std::move(job).value());
  }
}

Status SqliteStore::ReadCounters(Snapshot& snapshot) {
  Statement& select = statements_->select_counters;
  ScopedReset reset(select);
  Result<bool> row = select.Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::Internal("store_counters has no row");
  snapshot.max_job_seq = static_cast<uint64_t>(select.ColumnInt(0));
  snapshot.max_run_seq = static_cast<uint64_t>(select.ColumnInt(1));
  snapshot.max_event_id = static_cast<uint64_t>(select.ColumnInt(2));
  return Status::Ok();
}

Result<std::optional<core::Job>> SqliteStore::GetJob(const std::string& id) {
  std::lock_guard lock(mu_);
  Statement& select = statements_->select_job;
  ScopedReset reset(select);
  select.BindText(1, id);
  Result<bool> row = select.Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<core::Job>();
  SpecInterner specs;
  Result<core::Job> job = ReadJobRow(select, specs);
  if (!job.ok()) return job.status();
  return std::optional<core::Job>(std::move(job).value());
}

Result<JobPage> SqliteStore::ListJobs(const JobQuery& query) {
  std::lock_guard lock(mu_);
  Result<ListJobsSql> sql = BuildListJobsSql(query);
  if (!sql.ok()) return sql.status();
  Result<Statement*> statement = ListStatement(sql->sql);
  if (!statement.ok()) return statement.status();
  Statement& select = **statement;
  ScopedReset reset(select);  // before sql goes: the text parameters point into it
  for (const SqlParam& param : sql->params) BindParam(select, param);
  SpecInterner specs;
  JobPage page;
  for (;;) {
    Result<bool> row = select.Step();
    if (!row.ok()) return row.status();
    if (!*row) return page;
    if (page.jobs.size() ==
        static_cast<size_t>(sql->limit)) {  // one more exists: not the last page
      page.next_token = EncodePageToken({page.jobs.back().created_at, page.jobs.back().id});
      return page;
    }
    Result<core::Job> job = ReadJobRow(select, specs);
    if (!job.ok()) return job.status();
    page.jobs.push_back(std::move(job).value());
  }
}

Result<FirePage> SqliteStore::ListFires(const FireQuery& query) {
  std::lock_guard lock(mu_);
  Result<ListFiresBounds> bounds = BuildListFiresBounds(query);
  if (!bounds.ok()) return bounds.status();
  Statement& list = statements_->list_fires;
  ScopedReset reset(list);  // before bounds goes: the schedule is bound without a copy
  BindListFires(list, *bounds);
  FirePage page;
  for (;;) {
    Result<bool> row = list.Step();
    if (!row.ok()) return row.status();
    if (!*row) return page;
    if (page.fires.size() == static_cast<size_t>(bounds->limit)) {  // not the last page
      const core::Fire& last = page.fires.back();
      page.next_token = EncodeFirePageToken({last.logical_time, last.trigger});
      return page;
    }
    Result<core::Fire> fire = ReadFireRow(list);
    if (!fire.ok()) return fire.status();
    page.fires.push_back(std::move(fire).value());
  }
}

Result<std::optional<core::Fire>> SqliteStore::GetFire(const std::string& schedule,
                                                       TimeMs logical_time,
                                                       core::FireTrigger trigger) {
  std::lock_guard lock(mu_);
  Statement& select = statements_->select_fire;
  ScopedReset reset(select);
  select.BindText(1, schedule);
  select.BindInt(2, logical_time);
  select.BindInt(3, FireTriggerToWire(trigger));
  Result<bool> row = select.Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<core::Fire>();
  Result<core::Fire> fire = ReadFireRow(select);
  if (!fire.ok()) return fire.status();
  return std::optional<core::Fire>(std::move(fire).value());
}

Result<std::optional<core::PipelineRun>> SqliteStore::GetRun(const std::string& id) {
  std::lock_guard lock(mu_);
  return ReadOneDoc(statements_->select_run, DecodeRun, id);
}

Result<RunPage> SqliteStore::ListRuns(const RunQuery& query) {
  std::lock_guard lock(mu_);
  Result<ListRunsBounds> bounds = BuildListRunsBounds(query);
  if (!bounds.ok()) return bounds.status();
  Statement& list =
      bounds->pipeline.empty() ? statements_->list_runs : statements_->list_runs_of_pipeline;
  ScopedReset reset(list);  // before bounds goes: its text is bound without a copy
  BindListRuns(list, *bounds);
  RunPage page;
  for (;;) {
    Result<bool> row = list.Step();
    if (!row.ok()) return row.status();
    if (!*row) return page;
    if (page.runs.size() == static_cast<size_t>(bounds->limit)) {  // not the last page
      const core::PipelineRun& last = page.runs.back();
      page.next_token = EncodeRunPageToken({static_cast<int64_t>(last.seq), last.id});
      return page;
    }
    Result<core::PipelineRun> run = DecodeRun(list.ColumnBlob(0));
    if (!run.ok()) return run.status();
    page.runs.push_back(std::move(run).value());
  }
}

Result<Statement*> SqliteStore::ListStatement(const std::string& sql) {
  if (auto it = list_statements_.find(sql); it != list_statements_.end()) return &it->second;
  if (list_statements_.size() >= kMaxListStatements) list_statements_.clear();
  Result<Statement> prepared = db_.Prepare(sql);
  if (!prepared.ok()) return prepared.status();
  return &list_statements_.emplace(sql, std::move(prepared).value()).first->second;
}

Result<std::vector<JobCount>> SqliteStore::CountJobs() {
  std::lock_guard lock(mu_);
  // Asked seldom (the web UI's overview): prepared per call rather than kept.
  Result<Statement> select = db_.Prepare(
      "SELECT queue, state, COUNT(*) FROM jobs WHERE parent_id IS NULL GROUP BY queue, state ORDER BY queue, state");
  if (!select.ok()) return select.status();
  std::vector<JobCount> counts;
  for (;;) {
    Result<bool> row = select->Step();
    if (!row.ok()) return row.status();
    if (!*row) return counts;
    std::optional<core::JobState> state = core::ParseJobState(select->ColumnText(1));
    if (!state) return Status::Internal("jobs table: unknown state " + std::string(select->ColumnText(1)));
    counts.push_back({std::string(select->ColumnText(0)), *state, select->ColumnInt(2)});
  }
}

Result<std::vector<core::Event>> SqliteStore::ListEvents(uint64_t after_id, int limit) {
  std::lock_guard lock(mu_);
  return event_tables_->List(after_id, limit);
}

Result<std::vector<core::WebhookDelivery>> SqliteStore::ListDeliveries(const std::string& subscription, int limit) {
  std::lock_guard lock(mu_);
  return event_tables_->Deliveries(subscription, limit);
}

Result<AuditPage> SqliteStore::ListAudit(const AuditQuery& query) {
  std::lock_guard lock(mu_);
  return access_tables_->ListAudit(query);
}

Status SqliteStore::CheckIntegrity() {
  std::lock_guard lock(mu_);
  constexpr int kMaxProblems = 10;
  Result<Statement> check =
      db_.Prepare("PRAGMA integrity_check(" + std::to_string(kMaxProblems) + ")");
  if (!check.ok()) return check.status();
  std::string problems;
  for (;;) {
    Result<bool> row = check->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    std::string_view line = check->ColumnText(0);
    if (line == "ok") return Status::Ok();
    problems += (problems.empty() ? "" : "; ") + std::string(line);
  }
  return Status::Internal("store integrity check failed for " + path_ + ": " + problems);
}

}  // namespace nightshift::store
