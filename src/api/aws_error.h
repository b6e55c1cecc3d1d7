// The one table that maps nightshift's Status codes to HTTP statuses and AWS error types, and
// builds AWS-style error responses (header x-amzn-ErrorType, body __type and message).
#pragma once

#include <string>

#include "api/http_types.h"
#include "auth/identity.h"
#include "util/status.h"

namespace nightshift::api {

enum class AwsProtocol {
  kRestJson,  // Batch, Scheduler: content type application/json
  kJson11,    // CloudWatch Logs: application/x-amz-json-1.1
};

// Which AWS service answers: they name their error types differently.
enum class AwsService { kBatch, kScheduler, kLogs };

// nightshift's own code for the error (kStatusHeader: "NotFound", "Conflict", ...) rides along in
// a header AWS clients ignore, because Batch folds not-found, conflict and invalid input into one
// ClientException and nightshift's CLI must tell them apart.
inline constexpr char kStatusHeader[] = "x-nightshift-status";

HttpResponse ErrorResponse(AwsService service, const Status& status);
// 403 with the AWS error type of an authentication failure (MissingAuthenticationTokenException,
// IncompleteSignatureException, UnrecognizedClientException, InvalidSignatureException).
HttpResponse ErrorResponse(AwsService service, const auth::AuthError& error);
// 429 ThrottlingException "Rate exceeded" (AWS's answer to a client over its request rate), with
// Retry-After; native routes answer the same JSON error.
HttpResponse ThrottlingResponse(AwsService service);
// An error of a given AWS type, for cases the status table cannot express.
HttpResponse ErrorResponse(AwsService service, int http_status, const std::string& type,
                           const std::string& message);

}  // namespace nightshift::api
