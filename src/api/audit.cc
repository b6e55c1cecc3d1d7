#include "api/audit.h"

#include <algorithm>
#include <optional>

#include <nlohmann/json.hpp>

namespace nightshift::api {
namespace {

constexpr size_t kMaxResource = 256;  // a resource named by a client is cut to this

// Reads a JSON text as events and keeps the value of the top-level member `name` if it is a
// string (the last one, as a parsed object would), without building the document: every
// SubmitJob's audit record reads the jobId of its answer this way.
class MemberFinder {
 public:
  using Json = nlohmann::json;
  explicit MemberFinder(std::string_view name) : name_(name) {}
  const std::string& found() const { return found_; }

  bool null() { return Value(); }
  bool boolean(bool) { return Value(); }
  bool number_integer(Json::number_integer_t) { return Value(); }
  bool number_unsigned(Json::number_unsigned_t) { return Value(); }
  bool number_float(Json::number_float_t, const std::string&) { return Value(); }
  bool binary(Json::binary_t&) { return Value(); }
  bool string(std::string& value) {
    if (depth_ == 1 && at_name_) found_ = std::move(value);
    at_name_ = false;
    return true;
  }
  bool key(std::string& key) {
    at_name_ = depth_ == 1 && key == name_;
    return true;
  }
  bool start_object(std::size_t) { return Open(); }
  bool start_array(std::size_t) { return Open(); }
  bool end_object() { return Close(); }
  bool end_array() { return Close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) { return false; }

 private:
  bool Value() {
    if (depth_ == 1 && at_name_) found_.clear();  // the member is there, not a string
    at_name_ = false;
    return true;
  }
  bool Open() {
    Value();
    ++depth_;
    return true;
  }
  bool Close() {
    --depth_;
    return true;
  }

  std::string_view name_;
  std::string found_;
  int depth_ = 0;
  bool at_name_ = false;  // the last key read at the top level is `name`
};

// For a flat object of plain strings with no space between tokens ({"a":"x","b":"y"}: what
// SubmitJob answers), the member `name` (the last one; "" if absent), read in one pass. nullopt
// for any other text, which needs the parser: escapes, bytes outside printable ASCII (the parser
// checks their UTF-8), spaces, other values, nesting, or not JSON at all.
std::optional<std::string_view> FlatMemberOf(std::string_view text, std::string_view name) {
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') return std::nullopt;
  size_t i = 1;
  const auto read_string = [&](std::string_view& out) {
    if (text[i] != '"') return false;
    const size_t end = text.find('"', i + 1);
    if (end == std::string_view::npos) return false;
    out = text.substr(i + 1, end - i - 1);
    i = end + 1;
    const auto plain = [](char c) { return c >= 0x20 && c < 0x7f && c != '\\'; };
    return std::all_of(out.begin(), out.end(), plain);
  };
  std::string_view found;
  while (i < text.size() - 1) {
    std::string_view key, value;
    if (!read_string(key) || text[i++] != ':' || !read_string(value)) return std::nullopt;
    if (key == name) found = value;
    if (i < text.size() - 1 && text[i++] != ',') return std::nullopt;
    if (i == text.size() - 1 && text[i - 1] == ',') return std::nullopt;  // a trailing comma
  }
  return found;
}

// The string member `name` of a JSON object's text; "" if it is not there (or the text is not
// JSON, or not an object).
std::string MemberOf(std::string_view json_text, std::string_view name) {
  if (std::optional<std::string_view> flat = FlatMemberOf(json_text, name)) {
    return std::string(*flat);
  }
  const size_t first = json_text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || json_text[first] != '{') return "";
  MemberFinder finder(name);
  if (!nlohmann::json::sax_parse(json_text, &finder)) return "";
  return finder.found();
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
