#include "api/request_auth.h"

#include <string_view>

#include "api/logs_api.h"

namespace nightshift::api {
namespace {

// `path` is `root` or under it.
bool Under(std::string_view path, std::string_view root) {
  return path.substr(0, root.size()) == root && (path.size() == root.size() || path[root.size()] == '/');
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

const char* SigningName(AwsService service) {
  switch (service) {
    case AwsService::kBatch: return "batch";
    case AwsService::kScheduler: return "scheduler";
    case AwsService::kLogs: return "logs";
  }
  return "";
}

std::optional<HttpResponse> Authenticate(const auth::Authenticator& authenticator, HttpRequest& request) {
  const std::optional<AwsService> service = AwsServiceOf(request);
  std::optional<std::string_view> signing_name;
  if (service) signing_name = SigningName(*service);
  auth::AuthResult result = authenticator.Authenticate(
      {request.method, request.path, request.query, request.headers, request.body}, signing_name);
  if (auto* error = std::get_if<auth::AuthError>(&result)) {
    return ErrorResponse(service.value_or(AwsService::kBatch), *error);
  }
  request.identity = std::move(std::get<auth::Identity>(result));
  return std::nullopt;
}

}  // namespace nightshift::api
