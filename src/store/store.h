// Store: durable state of nightshift. The engine keeps live state in memory and writes every
// change through a Store; on start it reloads from it.
//
// Writes are grouped: the engine collects the changes of one loop turn in a WriteBatch and
// commits it with one transaction (group commit). A batch is all-or-nothing. Reads see committed
// data only.
// Thread-safety: two threads may use a store at once: one calls Commit (the engine's store
// writer), the other every other method (the engine's loop); SyncCommitted may also be called
// from a third. Each thread's calls come one at a time. Load comes before the first Commit. A read
// made while a Commit runs sees the store before or after that batch, never part of it.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/event.h"
#include "core/job.h"
#include "core/pipeline.h"
#include "core/resources.h"
#include "core/schedule.h"
#include "core/webhook.h"
#include "auth/api_token.h"
#include "auth/audit_record.h"
#include "util/status.h"

namespace nightshift::store {

// How much a commit must survive.
enum class Durability {
  kPowerLoss,     // fsync before Commit returns: what a client was told is never lost
  kProcessCrash,  // survives kill -9 of the server, not an OS crash or power loss (no fsync)
};

// Which events to drop (bounded retention): those with id <= max_id_to_drop, and those made
// before older_than among the 1,000 oldest (so that one prune costs at most that much).
struct EventPrune {
  uint64_t max_id_to_drop = 0;
  TimeMs older_than = 0;
};

// Changes of one loop turn. Later entries for the same key win.
struct WriteBatch {
  Durability durability = Durability::kPowerLoss;

  std::vector<core::Job> jobs;  // inserts or full replacements, keyed by id (the last of an id wins)
  std::vector<core::ComputeEnvironment> compute_environments;
  std::vector<std::string> deleted_compute_environments;
  std::vector<core::JobQueue> job_queues;
  std::vector<std::string> deleted_job_queues;
  std::vector<core::JobDefinition> job_definitions;  // keyed by (name, revision)
  std::vector<core::Schedule> schedules;             // keyed by ScheduleKey
  std::vector<std::string> deleted_schedules;        // ScheduleKeys; their fires go too
  // Keyed by (schedule, logical_time, trigger): the unique key of a fire. Applied after
  // deleted_schedules, so a schedule deleted and re-created in one batch keeps its new fires.
  std::vector<core::Fire> fires;
  std::vector<core::PipelineVersion> pipeline_versions;  // keyed by (name, version)
  std::vector<core::PipelineRun> runs;                   // keyed by id
  // Events describing this batch's changes, ids ascending and above every committed one.
  std::vector<core::Event> events;
  std::optional<EventPrune> prune_events;
  std::vector<core::WebhookSubscription> webhooks;  // keyed by id; the cursor is written too
  std::vector<std::string> deleted_webhooks;        // ids; their deliveries go too
  // (subscription id, event id): a cursor only moves forward; a deleted subscription's is ignored.
  std::vector<std::pair<std::string, uint64_t>> webhook_cursors;
  // Appended to each subscription's log, which keeps its newest kDeliveriesKept entries.
  std::vector<core::WebhookDelivery> webhook_deliveries;
  std::vector<auth::ApiToken> api_tokens;        // inserts or full replacements, keyed by id
  std::vector<auth::AuditRecord> audit_records;  // appended in order (their seq is ignored)

  bool empty() const {
    return jobs.empty() && compute_environments.empty() && deleted_compute_environments.empty() &&
           job_queues.empty() && deleted_job_queues.empty() && job_definitions.empty() &&
           schedules.empty() && deleted_schedules.empty() && fires.empty() &&
           pipeline_versions.empty() && runs.empty() && events.empty() && !prune_events &&
           webhooks.empty() && deleted_webhooks.empty() && webhook_cursors.empty() &&
           webhook_deliveries.empty() && api_tokens.empty() && audit_records.empty();
  }
};

// Everything the engine needs in memory at start.
struct Snapshot {
  std::vector<core::ComputeEnvironment> compute_environments;
  std::vector<core::JobQueue> job_queues;
  std::vector<core::JobDefinition> job_definitions;  // all revisions, active or not
  std::vector<core::Job> active_jobs;                // every job not SUCCEEDED or FAILED
  std::vector<core::Schedule> schedules;
  std::vector<core::PipelineVersion> pipeline_versions;  // every version, deleted ones included
  std::vector<core::PipelineRun> active_runs;            // runs in state RUNNING
  std::vector<core::WebhookSubscription> webhooks;  // by id
  std::vector<auth::ApiToken> api_tokens;           // by id, revoked ones included
  uint64_t max_job_seq = 0;
  uint64_t max_run_seq = 0;
  uint64_t max_event_id = 0;  // the highest event id ever committed, pruned or not
};

// How many delivery records each webhook subscription keeps.
inline constexpr int kDeliveriesKept = 1000;

struct JobQuery {
  // Exactly one of these selects the jobs:
  std::string queue;         // jobs of this queue, array children excluded
  std::string array_parent;  // children of this array job
  std::set<core::JobState> states;  // empty = any state
  // JOB_NAME filter: case-insensitive; a trailing '*' makes it a prefix match.
  std::string name_pattern;
  // JOB_DEFINITION filter: "name" (all revisions), "name:rev", or "prefix*".
  std::string definition_pattern;
  std::optional<TimeMs> created_before;  // createdAt < this
  std::optional<TimeMs> created_after;   // createdAt > this
  int limit = 100;
  std::string page_token;  // from a previous JobPage; empty = first page
};

struct JobPage {
  std::vector<core::Job> jobs;  // newest first (createdAt descending, then id)
  std::string next_token;       // empty = last page
};

// How many top-level jobs (array children not counted) one queue holds in one state.
struct JobCount {
  std::string queue;
  core::JobState state = core::JobState::kSubmitted;
  int64_t count = 0;
};

struct FireQuery {
  std::string schedule;  // ScheduleKey
  std::optional<TimeMs> logical_from;  // logical_time >= this
  std::optional<TimeMs> logical_to;    // logical_time <= this
  int limit = 100;
  std::string page_token;  // from a previous FirePage; empty = first page
};

struct FirePage {
  std::vector<core::Fire> fires;  // newest logical time first (then trigger)
  std::string next_token;         // empty = last page
};

struct RunQuery {
  std::string pipeline;  // its runs; empty: every pipeline's
  int limit = 100;
  std::string page_token;  // from a previous RunPage; empty = first page
};

struct RunPage {
  std::vector<core::PipelineRun> runs;  // newest first (seq descending)
  std::string next_token;               // empty = last page
};

struct AuditQuery {
  std::optional<TimeMs> since;  // at >= this
  std::string actor;            // exactly this actor; empty: any
  std::string operation;        // exactly this operation; empty: any
  int limit = 100;
  std::string page_token;  // from a previous AuditPage; empty = first page
};

// The upkeep of a write-ahead log, for metrics (see SqliteStore and checkpointer.h).
struct WalStats {
  int64_t pages = 0;                   // in the WAL after the last commit
  int64_t background_checkpoints = 0;  // passes run beside the writer
  int64_t writer_checkpoints = 0;      // run by the writer itself, between commits
  int64_t failed_checkpoints = 0;      // background passes that failed (the WAL keeps the frames)
};

struct AuditPage {
  std::vector<auth::AuditRecord> records;  // newest first (seq descending)
  std::string next_token;                  // empty = last page
};

class Store {
 public:
  virtual ~Store() = default;

  virtual Result<Snapshot> Load() = 0;
  // Commits the batch in one durable transaction. On error nothing of it is stored. May run on
  // another thread than the reads (see Thread-safety above).
  [[nodiscard]] virtual Status Commit(const WriteBatch& batch) = 0;

  // Makes every commit that has returned so far survive power loss, including those made with
  // Durability::kProcessCrash. The only method that may be called from another thread while the
  // owner commits (it only flushes files), so that a slow disk never stalls the owner's loop.
  // Errors: kUnavailable when the flush fails.
  [[nodiscard]] virtual Status SyncCommitted() = 0;

  // Whether the store can take more than the changes already in progress: kUnavailable
  // ("disk full: ...") while it is short of space, so that the engine refuses new changes at once
  // instead of accepting what it may not be able to store. Each call checks again. Called on the
  // reading thread; it must not wait for a Commit in progress.
  [[nodiscard]] virtual Status SpaceForWrites() { return Status::Ok(); }

  // nullopt for a store without a write-ahead log of its own to look after. Called on the reading
  // thread; it must not wait for a Commit in progress.
  virtual std::optional<WalStats> GetWalStats() { return std::nullopt; }

  virtual Result<std::optional<core::Job>> GetJob(const std::string& id) = 0;
  virtual Result<JobPage> ListJobs(const JobQuery& query) = 0;
  // Every (queue, state) that holds top-level jobs, with how many; by queue, then state. Reads
  // the queue/state index only.
  virtual Result<std::vector<JobCount>> CountJobs() = 0;

  virtual Result<FirePage> ListFires(const FireQuery& query) = 0;
  virtual Result<std::optional<core::Fire>> GetFire(const std::string& schedule, TimeMs logical_time,
                                                    core::FireTrigger trigger) = 0;

  virtual Result<std::optional<core::PipelineRun>> GetRun(const std::string& id) = 0;
  virtual Result<RunPage> ListRuns(const RunQuery& query) = 0;

  // Committed events with id > after_id, ascending, at most `limit`.
  virtual Result<std::vector<core::Event>> ListEvents(uint64_t after_id, int limit) = 0;
  // A subscription's delivery log, newest first, at most `limit`.
  virtual Result<std::vector<core::WebhookDelivery>> ListDeliveries(const std::string& subscription, int limit) = 0;
  // The audit log, as the query selects. Errors: kInvalidArgument for a bad page token.
  virtual Result<AuditPage> ListAudit(const AuditQuery& query) = 0;
};

}  // namespace nightshift::store
