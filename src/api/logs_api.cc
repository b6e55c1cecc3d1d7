#include "api/logs_api.h"

#include <sys/stat.h>

#include "api/aws_error.h"
#include "api/json_reader.h"
#include "api/json_text.h"
#include "exec/attempt_log.h"

namespace nightshift::api {
namespace {

HttpResponse JsonOk(const nlohmann::ordered_json& body) {
  HttpResponse r;
  r.content_type = "application/x-amz-json-1.1";
  // Job output need not be UTF-8: invalid bytes become U+FFFD rather than failing the call.
  r.body = JsonText(body);
  return r;
}

}  // namespace

bool LogsApi::Handle(const HttpRequest& request, const Respond& respond) {
  const std::string& target = request.Header("x-amz-target");
  if (target.rfind(kLogsTargetPrefix, 0) != 0) return false;
  const std::string op = target.substr(sizeof(kLogsTargetPrefix) - 1);
  if (request.method != "POST" || request.path != "/") {
    respond(ErrorResponse(AwsService::kLogs, 404, "UnknownOperationException", "Logs operations are POST /"));
  } else if (op == "GetLogEvents") {
    respond(GetLogEvents(request.body));
  } else {
    respond(ErrorResponse(AwsService::kLogs, 400, "UnknownOperationException",
                          "nightshift serves GetLogEvents only, not " + op));
  }
  return true;
}

HttpResponse LogsApi::GetLogEvents(const std::string& body) {
  Result<Json> parsed = ParseBody(body);
  if (!parsed.ok()) return ErrorResponse(AwsService::kLogs, parsed.status());
  JsonReader r(*parsed, "");
  std::optional<std::string> group = r.String("logGroupName");
  std::optional<std::string> identifier = r.String("logGroupIdentifier");
  std::string stream = r.String("logStreamName", true).value_or("");
  exec::LogReadOptions options;
  options.start_time = r.Int("startTime", false, 0);
  options.end_time = r.Int("endTime", false, 0);
  options.next_token = r.String("nextToken").value_or("");
  options.limit = static_cast<int>(r.Int("limit", false, 1, exec::kMaxLogEventsLimit).value_or(exec::kMaxLogEventsLimit));
  options.start_from_head = r.Bool("startFromHead").value_or(false);
  r.Accept("unmask");
  Status st = r.Finish();
  if (!st.ok()) return ErrorResponse(AwsService::kLogs, st);
  const std::string log_group = group.value_or(identifier.value_or(""));
  if (log_group != kBatchLogGroup) {
    return ErrorResponse(AwsService::kLogs, 400, "ResourceNotFoundException", "The specified log group does not exist.");
  }
  Result<std::string> path = engine_.LogPathForStream(stream);
  struct stat info {};
  if (!path.ok() || ::stat(path->c_str(), &info) != 0) {
    return ErrorResponse(AwsService::kLogs, 400, "ResourceNotFoundException", "The specified log stream does not exist.");
  }
  Result<exec::LogPage> page = exec::ReadLogEvents(*path, options);
  if (!page.ok()) return ErrorResponse(AwsService::kLogs, page.status());
  nlohmann::ordered_json events = nlohmann::ordered_json::array();
  for (const exec::LogEvent& e : page->events) {
    events.push_back({{"timestamp", e.timestamp_ms}, {"message", e.message}, {"ingestionTime", e.ingestion_time_ms}});
  }
  return JsonOk({{"events", std::move(events)},
                 {"nextForwardToken", page->next_forward_token},
                 {"nextBackwardToken", page->next_backward_token}});
}

}  // namespace nightshift::api
