// The one table that maps nightshift's Status codes to HTTP statuses and AWS error types, and
// builds AWS-style error responses (header x-amzn-ErrorType, body __type and message).
#pragma once

#include <string>

#include "api/http_types.h"
#include "util/status.h"

namespace nightshift::api {

enum class AwsProtocol {
  kRestJson,  // Batch, Scheduler: content type application/json
  kJson11,    // CloudWatch Logs: application/x-amz-json-1.1
};

// Which AWS service answers: they name their error types differently.
enum class AwsService { kBatch, kScheduler, kLogs };

HttpResponse ErrorResponse(AwsService service, const Status& status);
// An error of a given AWS type, for cases the status table cannot express.
HttpResponse ErrorResponse(AwsService service, int http_status, const std::string& type,
                           const std::string& message);

}  // namespace nightshift::api
