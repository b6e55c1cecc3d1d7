// Request authentication at the router's door: which AWS-compatible service a request is routed
// to (its SigV4 signature must be scoped to that service's signing name), and the one call into
// auth::Authenticator that records the request's identity or produces the 403 to answer with.
// Thread-safety: pure functions, except that Authenticate reads the authenticator's clock.
#pragma once

#include <optional>

#include "api/aws_error.h"
#include "api/http_types.h"
#include "auth/authenticator.h"

namespace nightshift::api {

// Logs by X-Amz-Target; Batch by /v1/...; Scheduler by /schedules, /schedule-groups and /tags.
// nullopt: a native or open route (/api/v1/..., /healthz, /metrics, the UI).
std::optional<AwsService> AwsServiceOf(const HttpRequest& request);

// The SigV4 signing name: "batch", "scheduler", "logs".
const char* SigningName(AwsService service);

// Sets `request.identity`, or returns the error response to send instead of routing it.
std::optional<HttpResponse> Authenticate(const auth::Authenticator& authenticator, HttpRequest& request);

}  // namespace nightshift::api
