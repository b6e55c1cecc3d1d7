#include "api/request_auth.h"

#include <string_view>

#include "api/logs_api.h"
#include "api/ui_assets.h"

namespace nightshift::api {
namespace {

// `path` is `root` or under it.
bool Under(std::string_view path, std::string_view root) {
  return path.substr(0, root.size()) == root && (path.size() == root.size() || path[root.size()] == '/');
}

HttpResponse Unauthenticated(const RequestAction& action, const auth::AuthError& error) {
  if (action.aws) return ErrorResponse(*action.aws, error);
  HttpResponse r = ErrorResponse(AwsService::kScheduler, 401, "UnauthorizedException", error.message);
  r.headers.emplace_back(kStatusHeader, StatusCodeName(StatusCode::kUnauthenticated));
  r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

HttpResponse Forbidden(const RequestAction& action, const auth::Identity& who) {
  const std::string message = "User: " + who.Actor() + " is not authorized to perform: " + action.operation +
                              " (it needs the " + auth::RoleName(*auth::RequiredRole(action.access)) +
                              " role; " + who.Actor() + " has " + auth::RoleName(who.role) + ")";
  return ErrorResponse(action.aws.value_or(AwsService::kScheduler), Status(StatusCode::kPermissionDenied, message));
}

}  // namespace

std::optional<AwsService> AwsServiceOf(const HttpRequest& request) {
  if (request.Header("x-amz-target").rfind(kLogsTargetPrefix, 0) == 0) return AwsService::kLogs;
  const std::string_view path = request.path;
  if (path.substr(0, 4) == "/v1/") return AwsService::kBatch;
  if (Under(path, "/schedules") || Under(path, "/schedule-groups") || Under(path, "/tags")) {
    return AwsService::kScheduler;
  }
  return std::nullopt;
}

RequestAction ActionOf(const HttpRequest& request, std::span<const RouteSpec> native_routes) {
  if (const std::optional<AwsService> service = AwsServiceOf(request)) {
    if (const AwsOperation* op = FindAwsOperation(request, *service)) {
      return {QualifiedName(*op), op->access, op->mutates, service, op, nullptr};
    }
    return {std::string(ServicePrefix(*service)) + ":unknown", auth::Access::kAdmin, false, service};
  }
  // The UI's files hold no data: open to all, so that a browser can load the login form.
  if (IsUiRequest(request)) return {"getUi", auth::Access::kPublic, false};
  for (const RouteSpec& route : native_routes) {
    if (route.method == request.method && MatchPath(route.path, request.path)) {
      return {std::string(route.operation_id), route.access, route.method != "GET", std::nullopt, nullptr, &route};
    }
  }
  return {"unknown", auth::Access::kViewer, false};
}

std::optional<Refusal> Admit(const auth::Authenticator& authenticator, const RequestAction& action,
                             HttpRequest& request) {
  if (action.access == auth::Access::kPublic) {
    request.identity = auth::Identity{};
    return std::nullopt;
  }
  std::optional<std::string_view> signing_name;
  if (action.aws) signing_name = ServicePrefix(*action.aws);
  auth::AuthResult result = authenticator.Authenticate(
      {request.method, request.path, request.query, request.headers, request.body}, signing_name);
  if (auto* error = std::get_if<auth::AuthError>(&result)) {
    return Refusal{Unauthenticated(action, *error), error->claimed_id.empty() ? "anonymous" : error->claimed_id, ""};
  }
  const auth::Identity& who = std::get<auth::Identity>(result);
  if (!auth::Allows(action.access, who)) return Refusal{Forbidden(action, who), who.Actor(), auth::RoleName(who.role)};
  request.identity = std::move(std::get<auth::Identity>(result));
  return std::nullopt;
}

}  // namespace nightshift::api
