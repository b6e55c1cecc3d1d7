#include "api/aws_error.h"

#include <nlohmann/json.hpp>

#include "api/json_text.h"

namespace nightshift::api {
namespace {

struct ErrorKind {
  int http_status;
  const char* type;
};

// Batch models only ClientException (4xx) and ServerException (5xx).
ErrorKind BatchError(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kConflict:
      return {400, "ClientException"};
    case StatusCode::kPermissionDenied:
      return {403, "AccessDeniedException"};
    case StatusCode::kUnauthenticated:
      return {403, "UnrecognizedClientException"};
    case StatusCode::kUnavailable:
      return {503, "ServerException"};
    case StatusCode::kOk:
    case StatusCode::kInternal:
      break;
  }
  return {500, "ServerException"};
}

ErrorKind SchedulerError(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidArgument: return {400, "ValidationException"};
    case StatusCode::kNotFound: return {404, "ResourceNotFoundException"};
    case StatusCode::kConflict: return {409, "ConflictException"};
    case StatusCode::kPermissionDenied: return {403, "AccessDeniedException"};
    case StatusCode::kUnauthenticated: return {403, "UnrecognizedClientException"};
    case StatusCode::kUnavailable: return {503, "InternalServerException"};
    case StatusCode::kOk:
    case StatusCode::kInternal: break;
  }
  return {500, "InternalServerException"};
}

ErrorKind LogsError(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidArgument: return {400, "InvalidParameterException"};
    case StatusCode::kNotFound: return {400, "ResourceNotFoundException"};
    case StatusCode::kConflict: return {400, "InvalidOperationException"};
    case StatusCode::kPermissionDenied: return {400, "AccessDeniedException"};
    case StatusCode::kUnauthenticated: return {400, "UnrecognizedClientException"};
    case StatusCode::kUnavailable: return {503, "ServiceUnavailableException"};
    case StatusCode::kOk:
    case StatusCode::kInternal: break;
  }
  return {500, "ServiceUnavailableException"};
}

// The same for every service: AWS answers authentication failures before routing to one.
ErrorKind AuthErrorKind(auth::AuthFailure failure) {
  switch (failure) {
    case auth::AuthFailure::kMissingToken: return {403, "MissingAuthenticationTokenException"};
    case auth::AuthFailure::kIncompleteSignature: return {403, "IncompleteSignatureException"};
    case auth::AuthFailure::kUnrecognizedClient: return {403, "UnrecognizedClientException"};
    case auth::AuthFailure::kInvalidSignature: break;
  }
  return {403, "InvalidSignatureException"};
}

}  // namespace

HttpResponse ErrorResponse(AwsService service, int http_status, const std::string& type,
                           const std::string& message) {
  HttpResponse r;
  r.status = http_status;
  r.content_type = service == AwsService::kLogs ? "application/x-amz-json-1.1" : "application/json";
  r.headers.emplace_back("x-amzn-ErrorType", type);
  nlohmann::ordered_json body;
  body["__type"] = type;
  body["message"] = message;
  // The message may quote what the client sent (a header, a path): never trust it to be UTF-8.
  r.body = JsonText(body);
  return r;
}

HttpResponse ErrorResponse(AwsService service, const auth::AuthError& error) {
  const ErrorKind kind = AuthErrorKind(error.failure);
  HttpResponse r = ErrorResponse(service, kind.http_status, kind.type, error.message);
  r.headers.emplace_back(kStatusHeader, StatusCodeName(StatusCode::kUnauthenticated));
  return r;
}

HttpResponse ThrottlingResponse(AwsService service) {
  HttpResponse r = ErrorResponse(service, 429, "ThrottlingException", "Rate exceeded");
  r.headers.emplace_back("Retry-After", "1");
  return r;
}

HttpResponse ErrorResponse(AwsService service, const Status& status) {
  ErrorKind kind{};
  switch (service) {
    case AwsService::kBatch: kind = BatchError(status.code()); break;
    case AwsService::kScheduler: kind = SchedulerError(status.code()); break;
    case AwsService::kLogs: kind = LogsError(status.code()); break;
  }
  HttpResponse r = ErrorResponse(service, kind.http_status, kind.type, status.message());
  r.headers.emplace_back(kStatusHeader, StatusCodeName(status.code()));
  return r;
}

}  // namespace nightshift::api
