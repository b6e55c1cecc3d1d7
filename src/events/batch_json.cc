#include "events/batch_json.h"

namespace nightshift::events {

nlohmann::ordered_json AttemptJson(const core::Attempt& a) {
  nlohmann::ordered_json container;
  if (a.exit_code) container["exitCode"] = *a.exit_code;
  if (!a.reason.empty()) container["reason"] = a.reason;
  container["logStreamName"] = a.log_stream_name;
  nlohmann::ordered_json j;
  j["container"] = std::move(container);
  if (a.started_at) j["startedAt"] = a.started_at;
  if (a.stopped_at) j["stoppedAt"] = a.stopped_at;
  if (!a.status_reason.empty()) j["statusReason"] = a.status_reason;
  return j;
}

nlohmann::ordered_json DependsOnJson(const std::vector<core::Dependency>& deps) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const core::Dependency& d : deps) {
    nlohmann::ordered_json j;
    if (!d.job_id.empty()) j["jobId"] = d.job_id;
    if (d.type == core::DependencyType::kNToN) j["type"] = "N_TO_N";
    if (d.type == core::DependencyType::kSequential) j["type"] = "SEQUENTIAL";
    list.push_back(std::move(j));
  }
  return list;
}

}  // namespace nightshift::events
