#include "store/access_tables.h"

#include <cstdint>
#include <limits>

#include "store/page_token.h"

namespace nightshift::store {
namespace {

void BindOptional(Statement& s, int index, const std::optional<TimeMs>& value) {
  if (value) {
    s.BindInt(index, *value);
  } else {
    s.BindNull(index);
  }
}

std::optional<TimeMs> OptionalColumn(const Statement& s, int column) {
  if (s.ColumnIsNull(column)) return std::nullopt;
  return s.ColumnInt(column);
}

Result<auth::ApiToken> ReadTokenRow(Statement& s) {
  auth::ApiToken t;
  t.id = s.ColumnText(0);
  t.name = s.ColumnText(1);
  std::optional<auth::Role> role = auth::ParseRole(s.ColumnText(2));
  if (!role) return Status::Internal("api token " + t.id + " has an unknown role");
  t.role = *role;
  t.secret_hash = s.ColumnText(3);
  t.created_at = s.ColumnInt(4);
  t.expires_at = OptionalColumn(s, 5);
  t.revoked_at = OptionalColumn(s, 6);
  t.last_used_at = OptionalColumn(s, 7);
  return t;
}

Result<auth::AuditRecord> ReadAuditRow(Statement& s) {
  auth::AuditRecord r;
  r.seq = s.ColumnInt(0);
  r.at = s.ColumnInt(1);
  r.actor = s.ColumnText(2);
  r.role = s.ColumnText(3);
  r.operation = s.ColumnText(4);
  r.resource = s.ColumnText(5);
  r.source = s.ColumnText(6);
  r.status = static_cast<int>(s.ColumnInt(7));
  r.error = s.ColumnText(8);
  return r;
}

}  // namespace

Result<AccessTables> AccessTables::Prepare(Database& db) {
  AccessTables t;
  const std::pair<Statement*, std::string_view> all[] = {
      {&t.upsert_token_,
       "INSERT INTO api_tokens (id, name, role, secret_hash, created_at, expires_at, revoked_at, last_used_at) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
       "role = excluded.role, secret_hash = excluded.secret_hash, created_at = excluded.created_at, "
       "expires_at = excluded.expires_at, revoked_at = excluded.revoked_at, last_used_at = excluded.last_used_at"},
      {&t.select_tokens_,
       "SELECT id, name, role, secret_hash, created_at, expires_at, revoked_at, last_used_at FROM api_tokens "
       "ORDER BY id"},
      {&t.insert_audit_,
       "INSERT INTO audit_log (at, actor, role, operation, resource, source, status, error) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"},
      {&t.list_audit_,
       "SELECT seq, at, actor, role, operation, resource, source, status, error FROM audit_log "
       "WHERE seq < ?1 AND at >= ?2 AND (?3 = '' OR actor = ?3) AND (?4 = '' OR operation = ?4) "
       "ORDER BY seq DESC LIMIT ?5"},
  };
  NS_RETURN_IF_ERROR(db.PrepareAll(all));
  return t;
}

Status AccessTables::Write(const WriteBatch& batch) {
  for (const auth::ApiToken& t : batch.api_tokens) {
    Statement& s = upsert_token_;
    s.BindText(1, t.id);
    s.BindText(2, t.name);
    s.BindText(3, auth::RoleName(t.role));
    s.BindText(4, t.secret_hash);
    s.BindInt(5, t.created_at);
    BindOptional(s, 6, t.expires_at);
    BindOptional(s, 7, t.revoked_at);
    BindOptional(s, 8, t.last_used_at);
    Status st = s.Run();
    if (!st.ok()) return Status(st.code(), st.message() + " (writing api token " + t.id + ")");
  }
  for (const auth::AuditRecord& r : batch.audit_records) {
    Statement& s = insert_audit_;
    s.BindInt(1, r.at);
    s.BindText(2, r.actor);
    s.BindText(3, r.role);
    s.BindText(4, r.operation);
    s.BindText(5, r.resource);
    s.BindText(6, r.source);
    s.BindInt(7, r.status);
    s.BindText(8, r.error);
    NS_RETURN_IF_ERROR(s.Run());
  }
  return Status::Ok();
}

Result<std::vector<auth::ApiToken>> AccessTables::Tokens() {
  return ReadAllRows<auth::ApiToken>(select_tokens_, &ReadTokenRow);
}

Result<AuditPage> AccessTables::ListAudit(const AuditQuery& query) {
  int64_t below = std::numeric_limits<int64_t>::max();
  if (!query.page_token.empty()) {
    std::optional<std::string> text = HexDecode(query.page_token);
    std::optional<int64_t> seq = text ? ParseDecimal<int64_t>(*text) : std::nullopt;
    if (!seq) return Status::InvalidArgument("invalid next_token");
    below = *seq;
  }
  Statement& s = list_audit_;
  s.BindInt(1, below);
  s.BindInt(2, query.since.value_or(std::numeric_limits<int64_t>::min()));
  s.BindText(3, query.actor);
  s.BindText(4, query.operation);
  s.BindInt(5, static_cast<int64_t>(query.limit) + 1);
  Result<std::vector<auth::AuditRecord>> rows = ReadAllRows<auth::AuditRecord>(s, &ReadAuditRow);
  if (!rows.ok()) return rows.status();
  AuditPage page;
  page.records = std::move(*rows);
  if (page.records.size() > static_cast<size_t>(query.limit)) {
    page.records.resize(static_cast<size_t>(query.limit));
    page.next_token = HexEncode(std::to_string(page.records.back().seq));
  }
  return page;
}

}  // namespace nightshift::store
