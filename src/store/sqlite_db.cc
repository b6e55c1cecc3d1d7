#include "store/sqlite_db.h"

#include <sqlite3.h>

#include <utility>

namespace nightshift::store {
namespace {

// The start of a statement's text, enough to recognise it in an error message.
std::string ShortSql(std::string_view sql) {
  constexpr size_t kMax = 60;
  return sql.size() <= kMax ? std::string(sql) : std::string(sql.substr(0, kMax)) + "...";
}

}  // namespace

Status SqliteStatus(int rc, sqlite3* db, std::string_view context) {
  // With extended result codes on, sqlite3_errmsg names the precise failure; the primary code
  // (low byte) decides the category.
  std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string where = std::string(context) + ": " + detail;
  switch (rc & 0xFF) {
    case SQLITE_FULL:
      return Status::Unavailable("disk full: " + where);
    case SQLITE_IOERR:
      return Status::Unavailable("I/O error: " + where);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable("store locked by another process: " + where);
    default:
      return Status::Internal("sqlite: " + where);
  }
}

bool IsDiskFull(const Status& status) {
  return status.code() == StatusCode::kUnavailable && status.message().rfind("disk full: ", 0) == 0;
}

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)), bind_rc_(other.bind_rc_) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    bind_rc_ = other.bind_rc_;
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::KeepBindError(int rc) {
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void Statement::BindInt(int index, int64_t value) {
  KeepBindError(sqlite3_bind_int64(stmt_, index, value));
}

void Statement::BindDouble(int index, double value) {
  KeepBindError(sqlite3_bind_double(stmt_, index, value));
}

void Statement::BindText(int index, std::string_view value) {
  // A non-null pointer even for an empty view: sqlite binds a null pointer as SQL NULL.
  const char* data = value.data() != nullptr ? value.data() : "";
  KeepBindError(sqlite3_bind_text64(stmt_, index, data, value.size(), SQLITE_STATIC, SQLITE_UTF8));
}

void Statement::BindBlob(int index, std::string_view value) {
  const char* data = value.data() != nullptr ? value.data() : "";
  KeepBindError(sqlite3_bind_blob64(stmt_, index, data, value.size(), SQLITE_STATIC));
}

void Statement::BindNull(int index) { KeepBindError(sqlite3_bind_null(stmt_, index)); }

int Statement::ParameterIndex(const char* name) const {
  return sqlite3_bind_parameter_index(stmt_, name);
}

Result<bool> Statement::Step() {
  sqlite3* db = sqlite3_db_handle(stmt_);
  if (bind_rc_ != SQLITE_OK) return SqliteStatus(bind_rc_, db, "bind parameter");
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteStatus(rc, db, ShortSql(sqlite3_sql(stmt_)));
}

Status Statement::Run() {
  ScopedReset reset(*this);
  Result<bool> row = Step();
  while (row.ok() && *row) row = Step();
  return row.status();
}

void Statement::Reset() {
  sqlite3_reset(stmt_);  // returns the last step's error again: already reported by Step
  sqlite3_clear_bindings(stmt_);
  bind_rc_ = SQLITE_OK;
}

bool Statement::ColumnIsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

int64_t Statement::ColumnInt(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string_view Statement::ColumnText(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  int size = sqlite3_column_bytes(stmt_, column);  // after the conversion, as sqlite advises
  if (text == nullptr) return {};
  return {reinterpret_cast<const char*>(text), static_cast<size_t>(size)};
}

std::string_view Statement::ColumnBlob(int column) const {
  const void* blob = sqlite3_column_blob(stmt_, column);
  int size = sqlite3_column_bytes(stmt_, column);
  if (blob == nullptr) return {};
  return {static_cast<const char*>(blob), static_cast<size_t>(size)};
}

void Database::Closer::operator()(sqlite3* db) const { sqlite3_close_v2(db); }

Result<Database> Database::Open(const std::string& path, const std::string& vfs_name) {
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw, flags, vfs_name.empty() ? nullptr : vfs_name.c_str());
  Database db(raw);  // sqlite may allocate a handle even on failure; this frees it
  if (rc != SQLITE_OK) return SqliteStatus(rc, raw, "open " + path);
  sqlite3_extended_result_codes(raw, 1);
  return db;
}

Status Database::Exec(const std::string& sql) {
  int rc = sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, nullptr);
  if (rc == SQLITE_OK) return Status::Ok();
  last_exec_error_ = rc;
  return SqliteStatus(rc, db_.get(), ShortSql(sql));
}

Status Database::PrepareAll(std::span<const std::pair<Statement*, std::string_view>> statements) {
  for (const auto& [statement, sql] : statements) {
    Result<Statement> prepared = Prepare(sql);
    if (!prepared.ok()) return prepared.status();
    *statement = std::move(prepared).value();
  }
  return Status::Ok();
}

Result<Statement> Database::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return SqliteStatus(rc, db_.get(), "prepare " + std::string(sql));
  return Statement(stmt);
}

Result<int64_t> Database::PragmaInt(const std::string& pragma) {
  Result<Statement> stmt = Prepare("PRAGMA " + pragma);
  if (!stmt.ok()) return stmt.status();
  Result<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::Internal("PRAGMA " + pragma + " returned no row");
  return stmt->ColumnInt(0);
}

bool Database::InTransaction() const { return sqlite3_get_autocommit(db_.get()) == 0; }

Result<Database::WalProgress> Database::CheckpointPassive() {
  WalProgress progress;
  int rc = sqlite3_wal_checkpoint_v2(db_.get(), "main", SQLITE_CHECKPOINT_PASSIVE,
                                     &progress.log_frames, &progress.copied_frames);
  if (rc != SQLITE_OK) return SqliteStatus(rc, db_.get(), "checkpoint");
  return progress;
}

void Database::TrackWalFrames(int* frames) {
  sqlite3_wal_hook(
      db_.get(),
      [](void* target, sqlite3*, const char*, int wal_frames) {
        *static_cast<int*>(target) = wal_frames;
        return SQLITE_OK;
      },
      frames);
}

Result<WriteTransaction> WriteTransaction::Begin(Database& db) {
  NS_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  return WriteTransaction(db);
}

WriteTransaction::WriteTransaction(WriteTransaction&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), outcome_unknown_(other.outcome_unknown_) {}

WriteTransaction::~WriteTransaction() { Rollback(); }

Status WriteTransaction::Commit() {
  Status status = db_->Exec("COMMIT");
  // A write that failed (disk full) left no commit record in the WAL; a failed sync may have.
  outcome_unknown_ = !status.ok() && (db_->last_exec_error() & 0xFF) == SQLITE_IOERR;
  // A failed COMMIT may leave the transaction open; sqlite's advice is an explicit ROLLBACK.
  if (!status.ok()) Rollback();
  db_ = nullptr;
  return status;
}

void WriteTransaction::Rollback() {
  if (db_ == nullptr || !db_->InTransaction()) return;
  (void)db_->Exec("ROLLBACK");  // nothing more to do if even this fails; the error is reported
}

}  // namespace nightshift::store
