// Thin RAII wrappers over the sqlite3 C API: a connection (Database) and a prepared statement
// (Statement). This is the one place where sqlite result codes become Status (SqliteStatus).
//
// Thread-safety: none. A Database and its Statements belong to one thread at a time (the
// connection is opened with SQLITE_OPEN_NOMUTEX).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace nightshift::store {

// Turns a sqlite result code into a Status: kUnavailable for a full disk ("disk full: ..."), an
// I/O error or a database locked by another process (the caller may retry later); kInternal for
// everything else. `context` says what was being done; `db` (may be null) supplies sqlite's
// message.
Status SqliteStatus(int rc, sqlite3* db, std::string_view context);
// Whether `status` is SqliteStatus's answer to a full disk.
bool IsDiskFull(const Status& status);

// A prepared statement. Text and blob parameters are bound without copying: the caller keeps
// the bytes alive until the statement is Reset(). A binding error is kept and returned by the
// next Step(), so callers bind without checking each call.
class Statement {
 public:
  Statement() = default;
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  void BindInt(int index, int64_t value);
  void BindDouble(int index, double value);
  void BindText(int index, std::string_view value);
  void BindBlob(int index, std::string_view value);
  void BindNull(int index);
  // Index of a named parameter (":name"), 0 if the statement has none by that name.
  int ParameterIndex(const char* name) const;

  // Advances: true when a row is available, false when done.
  Result<bool> Step();
  // Steps to completion, then resets: for statements that return no rows.
  Status Run();
  // Ends the current execution (releasing its read snapshot) and clears the bindings.
  void Reset();

  bool ColumnIsNull(int column) const;
  int64_t ColumnInt(int column) const;
  std::string_view ColumnText(int column) const;  // valid until the next Step or Reset
  std::string_view ColumnBlob(int column) const;  // valid until the next Step or Reset

 private:
  void KeepBindError(int rc);

  sqlite3_stmt* stmt_ = nullptr;
  int bind_rc_ = 0;  // first binding error since the last Reset
};

// Resets a statement when leaving a scope, so that no early return leaves it mid-execution.
class ScopedReset {
 public:
  explicit ScopedReset(Statement& statement) : statement_(statement) {}
  ScopedReset(const ScopedReset&) = delete;
  ScopedReset& operator=(const ScopedReset&) = delete;
  ~ScopedReset() { statement_.Reset(); }

 private:
  Statement& statement_;
};

// Every row of a prepared, bound SELECT, each turned into a value by `read(statement)`, which
// returns a Result (an error stops the reading). Resets the statement.
template <typename T, typename Read>
Result<std::vector<T>> ReadAllRows(Statement& select, Read read) {
  ScopedReset reset(select);
  std::vector<T> out;
  for (;;) {
    Result<bool> row = select.Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    Result<T> value = read(select);
    if (!value.ok()) return value.status();
    out.push_back(std::move(value).value());
  }
}

// A connection. Closing it (destruction) is safe with statements still alive: sqlite closes the
// connection once the last one is finalized.
class Database {
 public:
  // Opens or creates the file at `path`. `vfs_name` selects a registered sqlite VFS; empty means
  // the default one. Errors: see SqliteStatus.
  static Result<Database> Open(const std::string& path, const std::string& vfs_name);

  // Runs one or more SQL statements that return nothing useful (schema scripts, pragmas).
  Status Exec(const std::string& sql);
  // Prepares a statement meant to be kept and reused.
  Result<Statement> Prepare(std::string_view sql);
  // Prepares each (statement, SQL) pair into its statement; stops at the first error.
  Status PrepareAll(std::span<const std::pair<Statement*, std::string_view>> statements);
  // The value of a pragma that returns one integer, e.g. "user_version".
  Result<int64_t> PragmaInt(const std::string& pragma);
  // True while a transaction is open on this connection.
  bool InTransaction() const;

  // The write-ahead log's size and how much of it is in the database file, in frames (pages).
  struct WalProgress {
    int log_frames = 0;
    int copied_frames = 0;
  };
  // A PASSIVE checkpoint: copies into the database file every frame of the WAL that no reader
  // still needs, without waiting for (or blocking) a writer or a reader. Errors: see
  // SqliteStatus; kUnavailable ("... database is locked") when another checkpoint is running.
  Result<WalProgress> CheckpointPassive();
  // After each commit on this connection, sqlite writes the WAL's size in frames to `*frames`,
  // which must outlive the connection or the next call. This replaces sqlite's automatic
  // checkpoints (PRAGMA wal_autocheckpoint): the caller runs them.
  void TrackWalFrames(int* frames);
  // The extended sqlite result code of the last failed Exec, SQLITE_OK if none failed yet.
  int last_exec_error() const { return last_exec_error_; }

  sqlite3* get() const { return db_.get(); }

 private:
  struct Closer {
    void operator()(sqlite3* db) const;
  };
  explicit Database(sqlite3* db) : db_(db) {}

  std::unique_ptr<sqlite3, Closer> db_;
  int last_exec_error_ = 0;
};

// A write transaction: BEGIN IMMEDIATE on creation (taking the write lock at once, so a busy
// store fails here rather than halfway through), ROLLBACK on destruction unless committed.
// The Database must outlive it.
class WriteTransaction {
 public:
  static Result<WriteTransaction> Begin(Database& db);
  WriteTransaction(WriteTransaction&& other) noexcept;
  WriteTransaction& operator=(WriteTransaction&&) = delete;
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;
  ~WriteTransaction();

  // Durable once this returns OK. On error the transaction is rolled back and nothing of it is
  // visible on this connection. One exception: when the error is an I/O error (a failed fsync),
  // the commit record may have reached the disk anyway, and a later recovery of the file (after
  // a crash or a restart) may find the whole transaction committed; outcome_unknown() then says
  // so. The transaction is still all-or-nothing, only which of the two is not known.
  Status Commit();
  bool outcome_unknown() const { return outcome_unknown_; }

 private:
  explicit WriteTransaction(Database& db) : db_(&db) {}
  void Rollback();

  Database* db_;  // null once committed or rolled back
  bool outcome_unknown_ = false;
};

}  // namespace nightshift::store
