// The AWS-compatible operations nightshift serves (Batch, EventBridge Scheduler, CloudWatch
// Logs), declared once in one table: how a request names each (method, path template, or the
// X-Amz-Target of Logs), the role it demands, whether it changes anything, and where the
// resource it acts on is named (for the audit log). The router finds a request's operation here
// before it is served, to authorize it; the APIs still serve them (batch_api.h, ...), and a unit
// test checks that every operation they serve is in this table.
// Thread-safety: a constant table and pure functions.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "api/aws_error.h"
#include "api/http_types.h"
#include "auth/identity.h"

namespace nightshift::api {

// Where an operation's resource is named.
enum class ResourceFrom {
  kNone,
  kBody,    // a member of the request's JSON body
  kPath,    // the last segment of the path (decoded)
  kAnswer,  // a member of the JSON answer (e.g. the id SubmitJob gives the job)
};

struct AwsOperation {
  AwsService service;
  std::string_view name;    // AWS's name: "SubmitJob"
  std::string_view method;  // "POST", "GET", ...
  // Batch and Scheduler: the path, lower-case, {placeholders} for variable segments. Logs: "/".
  std::string_view path;
  auth::Access access;
  bool mutates;
  ResourceFrom resource_from = ResourceFrom::kNone;
  std::string_view resource_member = "";  // the body's or answer's member, for kBody / kAnswer
};

// Every operation, by service.
std::span<const AwsOperation> AwsOperations();

// The operation `request` asks `service` for; nullptr if it names none (it is then answered as
// an unknown operation, and demands admin until then: nothing undeclared is open).
const AwsOperation* FindAwsOperation(const HttpRequest& request, AwsService service);

// "batch:SubmitJob", "scheduler:CreateSchedule", "logs:GetLogEvents": IAM's action names.
std::string QualifiedName(const AwsOperation& operation);
// "batch", "scheduler", "logs": IAM's service prefixes (and SigV4's signing names).
const char* ServicePrefix(AwsService service);

}  // namespace nightshift::api
