#include "api/access_api.h"

#include <algorithm>
#include <cstdlib>

#include "schedule/timetable.h"

namespace nightshift::api {
namespace {

constexpr char kTokenRef[] = R"({"$ref": "#/components/schemas/Token"})";
constexpr int kMaxAuditPage = 1000;

Json Time(std::optional<TimeMs> t) {
  return t ? Json(schedule::FormatRfc3339(*t, schedule::Zone::Utc())) : Json(nullptr);
}

const char* TokenState(const auth::ApiToken& token, TimeMs now) {
  if (token.revoked()) return "revoked";
  return token.expired(now) ? "expired" : "active";
}

Json AuditJson(const auth::AuditRecord& r) {
  return Json{{"seq", r.seq},         {"at", Time(r.at)},         {"actor", r.actor},
              {"role", r.role},       {"operation", r.operation}, {"resource", r.resource},
              {"source", r.source},   {"status", r.status},       {"error", r.error}};
}

// expires_in ("30d") or expires_at (RFC 3339), at most one; nullopt: the token never expires.
Result<std::optional<TimeMs>> ReadExpiry(JsonReader& r, TimeMs now) {
  std::optional<std::string> in = r.String("expires_in");
  std::optional<std::string> at = r.String("expires_at");
  if (in && at) return Status::InvalidArgument("give expires_in or expires_at, not both");
  if (in) {
    Result<TimeMs> lifetime = auth::ParseTokenLifetime(*in);
    if (!lifetime.ok()) return Status::InvalidArgument("expires_in: " + lifetime.status().message());
    return std::optional<TimeMs>(now + *lifetime);
  }
  if (!at) return std::optional<TimeMs>();
  Result<TimeMs> when = schedule::ParseRfc3339(*at);
  if (!when.ok()) return Status::InvalidArgument("expires_at: " + when.status().message());
  if (*when <= now) return Status::InvalidArgument("expires_at must be in the future");
  return std::optional<TimeMs>(*when);
}

}  // namespace

Json TokenJson(const auth::ApiToken& token, TimeMs now) {
  return Json{{"id", token.id},
              {"name", token.name},
              {"role", auth::RoleName(token.role)},
              {"state", TokenState(token, now)},
              {"created_at", Time(token.created_at)},
              {"expires_at", Time(token.expires_at)},
              {"last_used_at", Time(token.last_used_at)},
              {"revoked_at", Time(token.revoked_at)}};
}

std::span<const Route<AccessApi>> AccessApi::Routes() {
  static constexpr Route<AccessApi> kRoutes[] = {
      {.spec = {.method = "GET",
                .path = "/api/v1/tokens",
                .operation_id = "listTokens",
                .access = auth::Access::kAdmin,
                .summary = "Every API token, revoked and expired ones too (never their secrets)",
                .response = R"({"type": "object", "required": ["tokens"], "properties": {
            "tokens": {"type": "array", "items": {"$ref": "#/components/schemas/Token"}}}})"},
       .json = &AccessApi::ListTokens},
      {.spec = {.method = "POST",
                .path = "/api/v1/tokens",
                .operation_id = "createToken",
                .access = auth::Access::kAdmin,
                .summary = "Create an API token; its secret text is in this answer only",
                .request = R"({"type": "object", "required": ["role"], "properties": {
            "role": {"type": "string", "enum": ["viewer", "operator", "admin"]},
            "name": {"type": "string"},
            "expires_in": {"type": "string", "example": "30d", "description": "90s, 30m, 12h, 30d, 2w"},
            "expires_at": {"type": "string", "format": "date-time"}}})",
                .response = kTokenRef},
       .json = &AccessApi::CreateToken},
      {.spec = {.method = "DELETE",
                .path = "/api/v1/tokens/{id}",
                .operation_id = "revokeToken",
                .access = auth::Access::kAdmin,
                .summary = "Revoke an API token: it is refused from now on (it stays listed)",
                .response = kTokenRef},
       .json = &AccessApi::RevokeToken},
      {.spec = {.method = "GET",
                .path = "/api/v1/audit",
                .operation_id = "listAudit",
                .access = auth::Access::kAdmin,
                .summary = "The audit log, newest first: every mutating or refused call",
                .parameters = R"([
            {"name": "since", "schema": {"type": "string", "format": "date-time"},
             "description": "only records at or after this time"},
            {"name": "actor", "schema": {"type": "string"}, "description": "an access key id, token:ID or anonymous"},
            {"name": "operation", "schema": {"type": "string"}, "description": "e.g. batch:SubmitJob, createToken"},
            {"$ref": "#/components/parameters/limit"},
            {"$ref": "#/components/parameters/next_token"}])",
                .response = R"({"type": "object", "required": ["records"], "properties": {
            "records": {"type": "array", "items": {"$ref": "#/components/schemas/AuditRecord"}},
            "next_token": {"type": "string"}}})"},
       .json = &AccessApi::ListAudit},
  };
  return kRoutes;
}

bool AccessApi::Handle(const HttpRequest& request, const Respond& respond) {
  return Serve(*this, Routes(), {engine_, AwsService::kScheduler}, request, respond);
}

Result<Json> AccessApi::CreateToken(const RouteCall& call) {
  Result<Json> body = ParseBody(call.request.body);
  if (!body.ok()) return body.status();
  JsonReader r(*body, "");
  const std::string role_name = r.String("role", true).value_or("");
  const std::string name = r.String("name").value_or("");
  const TimeMs now = engine_.Now();
  Result<std::optional<TimeMs>> expires_at = ReadExpiry(r, now);
  NS_RETURN_IF_ERROR(r.Finish());
  if (!expires_at.ok()) return expires_at.status();
  const std::optional<auth::Role> role = auth::ParseRole(role_name);
  if (!role) return Status::InvalidArgument("role must be viewer, operator or admin, not '" + role_name + "'");
  if (name.size() > 256) return Status::InvalidArgument("name must be at most 256 characters");
  Result<auth::MintedToken> minted = auth::MintToken(name, *role, now, *expires_at);
  if (!minted.ok()) return minted.status();
  NS_RETURN_IF_ERROR(engine_.AddApiToken(minted->token));
  Json out = TokenJson(minted->token, now);
  out["token"] = minted->text;
  return out;
}

Result<Json> AccessApi::ListTokens(const RouteCall& call) {
  Json list = Json::array();
  for (const auto& [id, token] : engine_.api_tokens().all()) list.push_back(TokenJson(token, engine_.Now()));
  return Json{{"tokens", list}};
}

Result<Json> AccessApi::RevokeToken(const RouteCall& call) {
  Result<auth::ApiToken> revoked = engine_.RevokeApiToken(call.Param("id"));
  if (!revoked.ok()) return revoked.status();
  return TokenJson(*revoked, engine_.Now());
}

Result<Json> AccessApi::ListAudit(const RouteCall& call) {
  store::AuditQuery query;
  const std::string since = QueryValue(call.request, "since");
  if (!since.empty()) {
    Result<TimeMs> t = schedule::ParseRfc3339(since);
    if (!t.ok()) return Status::InvalidArgument("since: " + t.status().message());
    query.since = *t;
  }
  query.actor = QueryValue(call.request, "actor");
  query.operation = QueryValue(call.request, "operation");
  const std::string limit = QueryValue(call.request, "limit");
  query.limit = limit.empty() ? 100 : std::clamp(std::atoi(limit.c_str()), 1, kMaxAuditPage);
  query.page_token = QueryValue(call.request, "next_token");
  Result<store::AuditPage> page = engine_.ListAudit(query);
  if (!page.ok()) return page.status();
  Json records = Json::array();
  for (const auth::AuditRecord& r : page->records) records.push_back(AuditJson(r));
  Json out{{"records", std::move(records)}};
  if (!page->next_token.empty()) out["next_token"] = page->next_token;
  return out;
}

}  // namespace nightshift::api
