// Engine: API tokens and the audit log. Tokens live in memory (the authenticator reads them on
// every request) and are written through like every other change; audit records ride along in
// the next turn's batch (or a lazy commit), which is what keeps them cheap on the SubmitJob path.
#include "engine/engine.h"

namespace nightshift::engine {

Status Engine::AddApiToken(const auth::ApiToken& token) {
  if (tokens_.Find(token.id)) return Status::Conflict("an API token with id " + token.id + " exists already");
  tokens_.Put(token);
  pending_.api_tokens.push_back(token);
  ScheduleFlush();
  return Status::Ok();
}

Result<auth::ApiToken> Engine::RevokeApiToken(const std::string& id) {
  auth::ApiToken* token = tokens_.FindMutable(id);
  if (token == nullptr) return Status::NotFound("API token " + id + " does not exist");
  if (!token->revoked_at) {
    token->revoked_at = Now();
    pending_.api_tokens.push_back(*token);
    ScheduleFlush();
  }
  return *token;
}

void Engine::NoteTokenUse(const std::string& id) {
  auth::ApiToken* token = tokens_.FindMutable(id);
  const TimeMs now = Now();
  if (token == nullptr || (token->last_used_at && now - *token->last_used_at < auth::kTokenUseResolutionMs)) return;
  token->last_used_at = now;
  pending_.api_tokens.push_back(*token);
  ScheduleFlush();
}

void Engine::RecordAudit(auth::AuditRecord record) {
  if (record.at == 0) record.at = Now();
  pending_.audit_records.push_back(std::move(record));
  ArmLazyCommit();
}

Result<store::AuditPage> Engine::ListAudit(const store::AuditQuery& query) { return store_.ListAudit(query); }

}  // namespace nightshift::engine
