// AccessApi: the native routes of access control — API tokens (create: the token's text is in
// that answer only; list; revoke) and the audit log (newest first, filtered by time, actor and
// operation, a page at a time). Routes() declares each one, all for admins.
// Thread-safety: runs on the engine's loop thread.
#pragma once

#include <span>

#include "api/http_types.h"
#include "api/json_reader.h"
#include "api/route_table.h"
#include "engine/engine.h"

namespace nightshift::api {

// A token as the API shows it (never its secret or hash), with its state at `now`.
Json TokenJson(const auth::ApiToken& token, TimeMs now);

class AccessApi {
 public:
  explicit AccessApi(engine::Engine& engine) : engine_(engine) {}

  // The routes, declared once: served from here and described in the OpenAPI document.
  static std::span<const Route<AccessApi>> Routes();

  // True if the request is for one of Routes() (then `respond` is called).
  bool Handle(const HttpRequest& request, const Respond& respond);

 private:
  Result<Json> CreateToken(const RouteCall& call);
  Result<Json> ListTokens(const RouteCall& call);
  Result<Json> RevokeToken(const RouteCall& call);
  Result<Json> ListAudit(const RouteCall& call);

  engine::Engine& engine_;
};

}  // namespace nightshift::api
