// Request admission at the router's door: what a request asks to do (the native route or AWS
// operation that declares it, with the role it demands), who sent it (auth::Authenticator), and
// whether that role may — producing the 401/403 to answer instead of serving it.
//   * AWS routes answer refusals as AWS does: authentication failures with 403 and AWS's codes
//     (MissingAuthenticationTokenException, ...), a role too low with AccessDeniedException
//     "User: KEY is not authorized to perform: batch:CreateComputeEnvironment ...".
//   * native routes answer a missing or bad token with 401 UnauthorizedException (and
//     WWW-Authenticate: Bearer), a role too low with 403 AccessDeniedException.
// Thread-safety: pure functions, except that Admit reads the authenticator's tokens and clock
// (the engine's loop).
#pragma once

#include <optional>
#include <span>
#include <string>

#include "api/aws_error.h"
#include "api/aws_operations.h"
#include "api/http_types.h"
#include "api/route.h"
#include "auth/authenticator.h"

namespace nightshift::api {

// Logs by X-Amz-Target; Batch by /v1/...; Scheduler by /schedules, /schedule-groups and /tags.
// nullopt: a native or open route (/api/v1/..., /healthz, /metrics, the UI).
std::optional<AwsService> AwsServiceOf(const HttpRequest& request);

// What a request asks to do.
struct RequestAction {
  std::string operation;  // "batch:SubmitJob", "createToken"; "unknown" when nothing declares it
  auth::Access access = auth::Access::kViewer;
  bool mutates = false;
  std::optional<AwsService> aws;               // set for AWS-compatible routes
  const AwsOperation* aws_operation = nullptr;  // the AWS operation, if one is declared
  const RouteSpec* route = nullptr;            // the native route, if one is declared
};

// A request no declaration names is answered 404 (or 405) by the router; until then it demands a
// viewer on native paths and an admin on AWS paths (an AWS operation served but not declared in
// aws_operations.h is thereby refused, never open).
RequestAction ActionOf(const HttpRequest& request, std::span<const RouteSpec> native_routes);

// A request turned away before it was served: the answer, and who it claimed to be (an identity
// when authenticated; else the key or token id it named, or "anonymous").
struct Refusal {
  HttpResponse response;
  std::string actor;
  std::string role;  // "" when it was not authenticated
};

// Sets `request.identity` (anonymous on public routes and with authentication off), or returns
// the refusal to answer instead of serving it.
std::optional<Refusal> Admit(const auth::Authenticator& authenticator, const RequestAction& action,
                             HttpRequest& request);

}  // namespace nightshift::api
