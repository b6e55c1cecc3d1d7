#include "store/schema.h"

#include <array>
#include <string>

namespace nightshift::store {
namespace {

// Version 1: the first schema.
//
// jobs: the columns are what ListJobs, Load and GetJob select, filter and order by; everything
// else is in `doc` (job_codec.h). parent_id and array_index are NULL unless the job is an array
// child. The indexes, each partial so that a row is only in the ones it can be found through:
//   jobs_by_queue_state   ListJobs by queue (array children excluded), one state at a time,
//                         newest first; a set of states is a merge of one scan per state. It
//                         covers name and definition, so that JOB_NAME and JOB_DEFINITION
//                         filters are evaluated in the index without reading rows (parent_id,
//                         always NULL there, is in it because sqlite 3.40 needs it to know so).
//   jobs_by_parent_state  ListJobs of an array's children, as jobs_by_queue_state.
//   jobs_active           Load(): every job not SUCCEEDED or FAILED, in seq order.
// GetJob uses the primary key's index. There is deliberately no index led by name: job names
// are in no useful order, and an index inserted at random places costs a page written per job
// per commit (it halved submission throughput when measured).
// store_counters: the highest job seq ever committed, so Load() need not scan every job.
constexpr const char* kMigration1 = R"sql(
CREATE TABLE compute_environments (
  name TEXT NOT NULL PRIMARY KEY,
  doc BLOB NOT NULL
) WITHOUT ROWID;

CREATE TABLE job_queues (
  name TEXT NOT NULL PRIMARY KEY,
  doc BLOB NOT NULL
) WITHOUT ROWID;

CREATE TABLE job_definitions (
  name TEXT NOT NULL,
  revision INTEGER NOT NULL,
  doc BLOB NOT NULL,
  PRIMARY KEY (name, revision)
) WITHOUT ROWID;

CREATE TABLE jobs (
  id TEXT NOT NULL PRIMARY KEY CHECK (id <> ''),
  seq INTEGER NOT NULL,
  name TEXT NOT NULL,
  queue TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('SUBMITTED', 'PENDING', 'RUNNABLE', 'STARTING',
                                       'RUNNING', 'SUCCEEDED', 'FAILED')),
  created_at INTEGER NOT NULL,
  parent_id TEXT,
  array_index INTEGER,
  definition TEXT NOT NULL,
  share_identifier TEXT NOT NULL,
  doc BLOB NOT NULL
);

CREATE INDEX jobs_by_queue_state
  ON jobs (queue, state, created_at, id, name, definition, parent_id)
  WHERE parent_id IS NULL;
CREATE INDEX jobs_by_parent_state ON jobs (parent_id, state, created_at, id)
  WHERE parent_id IS NOT NULL;
CREATE INDEX jobs_active ON jobs (seq, id)
  WHERE state NOT IN ('SUCCEEDED', 'FAILED');

CREATE TABLE store_counters (
  singleton INTEGER NOT NULL PRIMARY KEY CHECK (singleton = 1),
  max_job_seq INTEGER NOT NULL
);
INSERT INTO store_counters (singleton, max_job_seq) VALUES (1, 0);

PRAGMA application_id = 1853057140;
)sql";

// Version 2: schedules and the record of their fires.
//
// schedules: few rows, read whole by Load() and written whole by the engine, so like the
// resources one self-contained doc (schedule_codec.h) under its key, ScheduleKey "group/name".
// fires: one row per decided fire, and the most numerous rows after jobs (a per-minute schedule
// decides half a million fires a year), so:
//   - The primary key (schedule, logical_time, trigger) is the unique key of a fire: committing
//     a fire twice (after a crash, or a retried commit) replaces the row instead of doubling it.
//   - WITHOUT ROWID: the table is the primary key's b-tree. A schedule's fires are adjacent, so
//     GetFire is one seek, ListFires one range read, and deleting a schedule's fires one range
//     delete; the key columns are stored once, not in a table and again in an index.
//   - logical_time DESC in the key: ListFires pages are newest first (then trigger ascending),
//     which is then the stored order, read forward from a seek without sorting.
//   - trigger is the FireTrigger's stored value (schedule_codec.h: a position in an append-only
//     table), an integer rather than a name to keep the key of every row small. No CHECK lists
//     its values: adding a trigger must not need a migration of this table.
//   - The doc holds the rest of the fire, not its key (schedule_codec.h).
//   - No foreign key to schedules (foreign keys are off in the store); a schedule's deletion
//     deletes its fires in the same transaction.
constexpr const char* kMigration2 = R"sql(
CREATE TABLE schedules (
  key TEXT NOT NULL PRIMARY KEY,
  doc BLOB NOT NULL
) WITHOUT ROWID;

CREATE TABLE fires (
  schedule TEXT NOT NULL CHECK (schedule <> ''),
  logical_time INTEGER NOT NULL,
  trigger INTEGER NOT NULL,
  doc BLOB NOT NULL,
  PRIMARY KEY (schedule, logical_time DESC, trigger)
) WITHOUT ROWID;
)sql";

// Version 3: pipeline versions and pipeline runs.
//
// pipeline_versions: every version of every pipeline file applied, deleted pipelines' included
// (their runs keep pointing at them). Few rows, read whole by Load(): like job_definitions, one
// self-contained doc (pipeline_codec.h) under its key (name, version), WITHOUT ROWID.
// runs: one row per pipeline run, as numerous as the fires that start them, and rewritten at
// every step's change, so a rowid table like jobs (docs of a few hundred bytes and up, which a
// WITHOUT ROWID b-tree keyed by a text id would spread thin). The doc is the whole run
// (pipeline_codec.h); the other columns are what the indexes need, and each index holds id so
// that ListRuns' keyset condition is decided in the index:
//   runs_by_pipeline  ListRuns of one pipeline, newest (highest seq) first: read backwards.
//   runs_by_seq       ListRuns of every pipeline, newest first: read backwards.
//   runs_running      Load(): the RUNNING runs only, in seq order. Partial: finished runs, the
//                     vast majority, are not in it, so Load() costs the runs in flight.
// GetRun uses the primary key's index. state is a name (runs_table.h), so that the partial
// index's condition reads as what it means; the CHECK lists the names, and adding a state will
// need a migration that rebuilds the table (the wire value in the doc does not).
// store_counters.max_run_seq: the highest run seq ever committed, as max_job_seq for jobs, so
// that Load() need not scan every run and a run deleted some day cannot make a seq come back.
// A column of the existing singleton row rather than a second row: one read gives both, and
// ADD COLUMN with a default fills it for a store migrated from version 2 without a rewrite.
constexpr const char* kMigration3 = R"sql(
CREATE TABLE pipeline_versions (
  name TEXT NOT NULL CHECK (name <> ''),
  version INTEGER NOT NULL,
  doc BLOB NOT NULL,
  PRIMARY KEY (name, version)
) WITHOUT ROWID;

CREATE TABLE runs (
  id TEXT NOT NULL PRIMARY KEY CHECK (id <> ''),
  seq INTEGER NOT NULL,
  pipeline TEXT NOT NULL CHECK (pipeline <> ''),
  state TEXT NOT NULL CHECK (state IN ('RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
  doc BLOB NOT NULL
);

CREATE INDEX runs_by_pipeline ON runs (pipeline, seq, id);
CREATE INDEX runs_by_seq ON runs (seq, id);
CREATE INDEX runs_running ON runs (seq, id) WHERE state = 'RUNNING';

ALTER TABLE store_counters ADD COLUMN max_run_seq INTEGER NOT NULL DEFAULT 0;
)sql";

// Version 4: the event log and webhook subscriptions with their delivery logs.
//
// events: one row per event (core/event.h), appended in the transaction of the change it
// describes, read in id order by streams and webhooks resuming after an id. `id` is the rowid
// (INTEGER PRIMARY KEY): rows are appended at the end of the b-tree, a resume is one seek, and a
// prune of the oldest is one range delete. The engine gives the ids, not sqlite, and
// store_counters.max_event_id remembers the highest ever committed, so that ids never come back
// after a prune emptied the table. The filter columns (type, status, queue, pipeline) let a
// reader filter without parsing doc, the event's JSON text. No index: every read is by id.
// webhooks: few rows, written whole; `filter` is the event filter as a query string
// (core/event.h), `cursor` the last event id the subscription is done with.
// webhook_deliveries: one row per delivery attempt; each subscription keeps its newest
// kDeliveriesKept (store.h), read newest first through the index.
constexpr const char* kMigration4 = R"sql(
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  type TEXT NOT NULL,
  at INTEGER NOT NULL,
  status TEXT NOT NULL,
  queue TEXT NOT NULL,
  pipeline TEXT NOT NULL,
  doc TEXT NOT NULL
);

CREATE TABLE webhooks (
  id TEXT NOT NULL PRIMARY KEY CHECK (id <> ''),
  url TEXT NOT NULL,
  secret TEXT NOT NULL,
  filter TEXT NOT NULL,
  max_attempts INTEGER NOT NULL,
  initial_delay_ms INTEGER NOT NULL,
  description TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  cursor INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE webhook_deliveries (
  seq INTEGER PRIMARY KEY,
  subscription TEXT NOT NULL,
  event_id INTEGER NOT NULL,
  attempt INTEGER NOT NULL,
  at INTEGER NOT NULL,
  http_status INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  error TEXT NOT NULL,
  next_attempt_at INTEGER NOT NULL
);
CREATE INDEX webhook_deliveries_by_subscription ON webhook_deliveries (subscription, seq);

ALTER TABLE store_counters ADD COLUMN max_event_id INTEGER NOT NULL DEFAULT 0;
)sql";

// Version 5: access control.
//
// api_tokens: few rows, read whole by Load(); a token's secret is never stored, only the
// SHA-256 of it (auth/api_token.h). Revoked tokens stay, so that the audit log's actors keep a
// meaning. expires_at, revoked_at and last_used_at are NULL when unset.
// audit_log: one row per mutating or refused call, appended in seq order. Reads go newest
// first by seq and filter as they scan; there is deliberately no other index, so that the row
// SubmitJob appends costs one insert at the end of one b-tree.
constexpr const char* kMigration5 = R"sql(
CREATE TABLE api_tokens (
  id TEXT NOT NULL PRIMARY KEY CHECK (id <> ''),
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  secret_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  revoked_at INTEGER,
  last_used_at INTEGER
) WITHOUT ROWID;

CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  role TEXT NOT NULL,
  operation TEXT NOT NULL,
  resource TEXT NOT NULL,
  source TEXT NOT NULL,
  status INTEGER NOT NULL,
  error TEXT NOT NULL
);
)sql";

// Version 6: cheaper writes of jobs and runs, and event ids counted at prunes only.
//
// The CHECKs on jobs.state and runs.state list the states with IN. SQLite evaluates an IN list of
// more than two constants through a temporary b-tree it builds at every execution of a statement,
// so each upsert of a job built two (its INSERT and its DO UPDATE part): a third of the upsert's
// cost. The same CHECKs as ORs of equalities accept the same values and build nothing. The rows
// already satisfy them, so the definitions are edited in place, as SQLite documents for changing
// a CHECK (https://www.sqlite.org/lang_altertable.html#otheralter): PRAGMA writable_schema, then
// a new schema version so that every connection reloads them (ApplyNextMigration does both).
//
// store_counters.max_event_id is no longer raised at every commit that adds events (which wrote
// the counters' page in every transaction), only before a prune deletes events: the highest
// event id ever committed is the larger of it and the highest id in events. A nightshift that
// still reads only the counter must not open such a store, hence a version of its own.
constexpr const char* kMigration6 = R"sql(
UPDATE sqlite_schema SET sql = replace(sql,
  'CHECK (state IN (''SUBMITTED'', ''PENDING'', ''RUNNABLE'', ''STARTING'',
                                       ''RUNNING'', ''SUCCEEDED'', ''FAILED''))',
  'CHECK (state = ''SUBMITTED'' OR state = ''PENDING'' OR state = ''RUNNABLE'' OR
                                  state = ''STARTING'' OR state = ''RUNNING'' OR
                                  state = ''SUCCEEDED'' OR state = ''FAILED'')')
WHERE type = 'table' AND name = 'jobs';
UPDATE sqlite_schema SET sql = replace(sql,
  'CHECK (state IN (''RUNNING'', ''SUCCEEDED'', ''FAILED'', ''CANCELLED''))',
  'CHECK (state = ''RUNNING'' OR state = ''SUCCEEDED'' OR state = ''FAILED'' OR
                              state = ''CANCELLED'')')
WHERE type = 'table' AND name = 'runs';
)sql";

struct Migration {
  const char* sql;
  // Edits table definitions in sqlite_schema (see migration 6): run with writable_schema on,
  // and followed by a new schema version.
  bool edits_definitions = false;
};

// In order; never edit a released entry, append a new one.
constexpr std::array<Migration, 6> kMigrations = {{{kMigration1},
                                                   {kMigration2},
                                                   {kMigration3},
                                                   {kMigration4},
                                                   {kMigration5},
                                                   {kMigration6, /*edits_definitions=*/true}}};

static_assert(kApplicationId == 1853057140, "migration 1 writes this value literally");

Status CheckApplicationId(Database& db) {
  Result<int64_t> id = db.PragmaInt("application_id");
  if (!id.ok()) return id.status();
  if (*id == 0 || *id == kApplicationId) return Status::Ok();
  return Status::Conflict("not a nightshift store: application_id is " + std::to_string(*id));
}

Status NewerSchemaError(int64_t version) {
  return Status::Conflict("store schema version " + std::to_string(version) +
                          " is newer than this nightshift (" +
                          std::to_string(LatestSchemaVersion()) + "); upgrade nightshift");
}

// Runs `sql`, which edits definitions in sqlite_schema, inside the caller's transaction; then
// bumps the schema version, so that every connection reads the definitions again.
Status EditDefinitions(Database& db, const char* sql) {
  Result<int64_t> schema_version = db.PragmaInt("schema_version");
  if (!schema_version.ok()) return schema_version.status();
  NS_RETURN_IF_ERROR(db.Exec("PRAGMA writable_schema = ON"));
  Status edited = db.Exec(sql);
  if (edited.ok()) edited = db.Exec("PRAGMA schema_version = " + std::to_string(*schema_version + 1));
  Status off = db.Exec("PRAGMA writable_schema = OFF");
  return edited.ok() ? off : edited;
}

// Applies the next migration, if the store is below `target`. Returns whether one was applied.
Result<bool> ApplyNextMigration(Database& db, int target) {
  Result<WriteTransaction> txn = WriteTransaction::Begin(db);
  if (!txn.ok()) return txn.status();
  // Read under the write lock: another process may have migrated while we waited for it.
  Result<int64_t> version = db.PragmaInt("user_version");
  if (!version.ok()) return version.status();
  if (*version > LatestSchemaVersion()) return NewerSchemaError(*version);
  if (*version < 0) return Status::Conflict("store schema version is negative");
  if (*version >= target) return false;
  const Migration& migration = kMigrations[*version];
  NS_RETURN_IF_ERROR(migration.edits_definitions ? EditDefinitions(db, migration.sql) : db.Exec(migration.sql));
  NS_RETURN_IF_ERROR(db.Exec("PRAGMA user_version = " + std::to_string(*version + 1)));
  NS_RETURN_IF_ERROR(txn->Commit());
  return true;
}

}  // namespace

int LatestSchemaVersion() { return static_cast<int>(kMigrations.size()); }

Status MigrateSchema(Database& db) { return MigrateSchemaTo(db, LatestSchemaVersion()); }

Status MigrateSchemaTo(Database& db, int version) {
  if (version < 0 || version > LatestSchemaVersion()) {
    return Status::InvalidArgument("no schema version " + std::to_string(version));
  }
  NS_RETURN_IF_ERROR(CheckApplicationId(db));
  for (;;) {
    Result<bool> applied = ApplyNextMigration(db, version);
    if (!applied.ok()) return applied.status();
    if (!*applied) return Status::Ok();
  }
}

}  // namespace nightshift::store
