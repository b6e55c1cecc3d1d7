// The access-control tables (schema.cc, version 5): API tokens and the audit log — the
// statements that write them in a batch's transaction, load the tokens and read the log a page
// at a time. SqliteStore owns one AccessTables and calls it inside its transactions.
// Thread-safety: none; the statements belong to the store's connection.
#pragma once

#include <vector>

#include "auth/api_token.h"
#include "auth/audit_record.h"
#include "store/sqlite_db.h"
#include "store/store.h"
#include "util/status.h"

namespace nightshift::store {

class AccessTables {
 public:
  // Prepares every statement on `db`, which must outlive this.
  static Result<AccessTables> Prepare(Database& db);

  // Inside the caller's write transaction: the batch's tokens, then its audit records.
  Status Write(const WriteBatch& batch);

  Result<std::vector<auth::ApiToken>> Tokens();
  // The page token is the seq to continue below, as hex text. Errors: kInvalidArgument for a
  // token that is not one ("invalid next_token").
  Result<AuditPage> ListAudit(const AuditQuery& query);

 private:
  AccessTables() = default;

  Statement upsert_token_;
  Statement select_tokens_;
  Statement insert_audit_;
  Statement list_audit_;
};

}  // namespace nightshift::store
