#include "events/batch_json.h"

namespace nightshift::events {

void WriteAttempt(JsonWriter& w, const core::Attempt& a) {
  w.BeginObject().Key("container").BeginObject();
  if (a.exit_code) w.Key("exitCode").Int(*a.exit_code);
  if (!a.reason.empty()) w.Key("reason").String(a.reason);
  w.Key("logStreamName").String(a.log_stream_name).EndObject();
  if (a.started_at) w.Key("startedAt").Int(a.started_at);
  if (a.stopped_at) w.Key("stoppedAt").Int(a.stopped_at);
  if (!a.status_reason.empty()) w.Key("statusReason").String(a.status_reason);
  w.EndObject();
}

nlohmann::ordered_json AttemptJson(const core::Attempt& a) {
  std::string text;
  JsonWriter w(text);
  WriteAttempt(w, a);
  return nlohmann::ordered_json::parse(text);
}

void WriteDependsOn(JsonWriter& w, const std::vector<core::Dependency>& deps) {
  w.BeginArray();
  for (const core::Dependency& d : deps) {
    w.BeginObject();
    if (!d.job_id.empty()) w.Key("jobId").String(d.job_id);
    if (d.type == core::DependencyType::kNToN) w.Key("type").String("N_TO_N");
    if (d.type == core::DependencyType::kSequential) w.Key("type").String("SEQUENTIAL");
    w.EndObject();
  }
  w.EndArray();
}

nlohmann::ordered_json DependsOnJson(const std::vector<core::Dependency>& deps) {
  std::string text;
  JsonWriter w(text);
  WriteDependsOn(w, deps);
  return nlohmann::ordered_json::parse(text);
}

}  // namespace nightshift::events
