// AuditRecord: one entry of the audit log — who called which operation on which resource, when,
// from where, and how it ended. Every mutating call and every refused call makes one.
// Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <string>

#include "util/clock.h"

namespace nightshift::auth {

struct AuditRecord {
  int64_t seq = 0;        // set by the store: ascending, the order of the log
  TimeMs at = 0;
  std::string actor;      // an access key's id, "token:<id>", or "anonymous"
  std::string role;       // the role it acted in; "" when it was not authenticated
  std::string operation;  // "batch:SubmitJob", "scheduler:CreateSchedule", "createToken", ...
  std::string resource;   // the job id, queue, compute environment, schedule... "" if unknown
  std::string source;     // the client's IP address; "" if unknown
  int status = 0;         // the HTTP status answered
  std::string error;      // the error's code ("AccessDeniedException", ...); "" on success
};

}  // namespace nightshift::auth
