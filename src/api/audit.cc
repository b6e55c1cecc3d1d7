#include "api/audit.h"

#include <nlohmann/json.hpp>

namespace nightshift::api {
namespace {

constexpr size_t kMaxResource = 256;  // a resource named by a client is cut to this

// The string member `name` of a JSON object's text; "" if it is not there.
std::string MemberOf(std::string_view json_text, std::string_view name) {
  const nlohmann::json json = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return "";
  auto it = json.find(name);
  return it != json.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string LastSegment(const std::string& path) {
  const std::vector<std::string> parts = SplitPath(path);
  return parts.empty() ? "" : parts.back();
}

// The resource as far as the request names it, and the answer's members that may name it.
void RequestResource(const RequestAction& action, const HttpRequest& request, AuditDraft& draft) {
  std::string& resource = draft.record.resource;
  if (const AwsOperation* op = action.aws_operation) {
    switch (op->resource_from) {
      case ResourceFrom::kNone: break;
      case ResourceFrom::kBody: resource = MemberOf(request.body, op->resource_member); break;
      case ResourceFrom::kPath: resource = LastSegment(request.path); break;
      case ResourceFrom::kAnswer: draft.answer_members = {op->resource_member}; break;
    }
  } else if (action.route) {
    std::optional<PathParams> params = MatchPath(action.route->path, request.path);
    const std::vector<std::string> names = PathPlaceholders(action.route->path);
    if (params && !names.empty()) {
      resource = params->at(names.back());
    } else {
      draft.answer_members = {"id", "name"};
    }
  }
  if (resource.size() > kMaxResource) resource.resize(kMaxResource);
}

std::string ErrorTypeOf(const HttpResponse& answer) {
  if (answer.status < 400) return "";
  for (const auto& [name, value] : answer.headers) {
    if (name == "x-amzn-ErrorType") return value;
  }
  return "";
}

}  // namespace

AuditDraft DraftAudit(const RequestAction& action, const HttpRequest& request) {
  AuditDraft draft;
  draft.record.actor = request.identity ? request.identity->Actor() : "anonymous";
  draft.record.role = request.identity ? auth::RoleName(request.identity->role) : "";
  draft.record.operation = action.operation;
  draft.record.source = request.remote_address;
  RequestResource(action, request, draft);
  return draft;
}

auth::AuditRecord CompleteAudit(AuditDraft draft, const HttpResponse& answer) {
  auth::AuditRecord& record = draft.record;
  record.status = answer.status;
  record.error = ErrorTypeOf(answer);
  if (answer.status < 400) {
    for (std::string_view member : draft.answer_members) {
      if (!record.resource.empty()) break;
      record.resource = MemberOf(answer.body, member);
    }
  }
  return std::move(record);
}

auth::AuditRecord RefusalAudit(const RequestAction& action, const HttpRequest& request, const Refusal& refusal) {
  AuditDraft draft = DraftAudit(action, request);
  draft.record.actor = refusal.actor;
  draft.record.role = refusal.role;
  draft.answer_members.clear();
  return CompleteAudit(std::move(draft), refusal.response);
}

}  // namespace nightshift::api
