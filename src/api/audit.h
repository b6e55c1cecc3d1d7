// How a call becomes an audit record (auth/audit_record.h): who (the identity's actor and role),
// what (the operation's declared name), which resource (as the operation declares where it is
// named: a member of the body, the path, or the answer; for native routes the last path
// parameter, else the answer's "id" or "name"), from where, and how it ended (HTTP status and
// the error's type). A draft is made before the call is served, from the request, so that the
// request need not be kept; it is completed with the answer.
// Thread-safety: pure functions.
#pragma once

#include <string_view>

#include "api/http_types.h"
#include "api/request_auth.h"
#include "auth/audit_record.h"

namespace nightshift::api {

struct AuditDraft {
  auth::AuditRecord record;
  // When the resource is named in the answer: the answer's member that names it.
  std::vector<std::string_view> answer_members;
};

// `request.identity` must be set (the call was admitted).
AuditDraft DraftAudit(const RequestAction& action, const HttpRequest& request);
auth::AuditRecord CompleteAudit(AuditDraft draft, const HttpResponse& answer);
// The record of a call refused before it was served.
auth::AuditRecord RefusalAudit(const RequestAction& action, const HttpRequest& request, const Refusal& refusal);

}  // namespace nightshift::api
