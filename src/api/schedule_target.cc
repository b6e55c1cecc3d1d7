#include "api/schedule_target.h"

#include <cctype>

#include "api/submit_job_request.h"

namespace nightshift::api {
namespace {

// Members whose values are maps of the user's own keys: their keys are never re-cased.
bool IsUserMap(const std::string& key) { return key == "parameters" || key == "tags"; }

// "JobName" -> "jobName", recursively through objects and arrays, except inside user maps.
Result<Json> CamelCase(const Json& value, const std::string& path) {
  if (value.is_array()) {
    Json out = Json::array();
    for (size_t i = 0; i < value.size(); ++i) {
      Result<Json> item = CamelCase(value[i], path + "[" + std::to_string(i) + "]");
      if (!item.ok()) return item.status();
      out.push_back(std::move(*item));
    }
    return out;
  }
  if (!value.is_object()) return value;
  Json out = Json::object();
  for (const auto& [key, member] : value.items()) {
    std::string camel = key;
    if (!camel.empty()) camel[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(camel[0])));
    if (out.contains(camel)) return Status::InvalidArgument(path + ": " + camel + " is given twice");
    if (IsUserMap(camel)) {
      out[camel] = member;
      continue;
    }
    Result<Json> converted = CamelCase(member, path + "." + key);
    if (!converted.ok()) return converted.status();
    out[camel] = std::move(*converted);
  }
  return out;
}

}  // namespace

Result<engine::SubmitJobRequest> ReadTargetInput(const core::ScheduleTarget& target) {
  if (target.arn != core::kSubmitJobTargetArn) {
    return Status::InvalidArgument("Target.Arn: unsupported target " + target.arn + "; nightshift supports " +
                                   std::string(core::kSubmitJobTargetArn));
  }
  if (target.input.empty()) {
    return Status::InvalidArgument("Target.Input is required: the SubmitJob parameters as JSON");
  }
  Json input = Json::parse(target.input, nullptr, /*allow_exceptions=*/false);
  if (input.is_discarded() || !input.is_object()) {
    return Status::InvalidArgument("Target.Input must be a JSON object of SubmitJob parameters");
  }
  Result<Json> camel = CamelCase(input, "Target.Input");
  if (!camel.ok()) return camel.status();
  Result<engine::SubmitJobRequest> request = ReadSubmitJobRequest(*camel);
  if (!request.ok()) return Status::InvalidArgument("Target.Input: " + request.status().message());
  if (!request->depends_on.empty()) {
    return Status::InvalidArgument("Target.Input: dependsOn cannot name jobs of a fire that has not happened yet");
  }
  return request;
}

Status ValidateScheduleTarget(const engine::Engine& engine, const core::ScheduleTarget& target) {
  Result<engine::SubmitJobRequest> request = ReadTargetInput(target);
  if (!request.ok()) return request.status();
  if (!engine.FindJobQueue(request->job_queue)) {
    return Status::InvalidArgument("Target.Input: job queue " + request->job_queue + " does not exist");
  }
  if (!engine.FindJobDefinition(request->job_definition)) {
    return Status::InvalidArgument("Target.Input: job definition " + request->job_definition + " does not exist");
  }
  return Status::Ok();
}

engine::Engine::ScheduleTargetStarter SubmitJobTargetStarter(engine::Engine& engine) {
  return [&engine](const core::Schedule& schedule, const core::Fire& fire) -> Result<std::string> {
    Result<engine::SubmitJobRequest> request = ReadTargetInput(schedule.target);
    if (!request.ok()) return request.status();
    Result<schedule::Zone> zone = schedule::Zone::Load(schedule.timezone);
    const std::string logical = schedule::FormatRfc3339(fire.logical_time, zone.ok() ? *zone : schedule::Zone::Utc());
    request->environment.push_back({"NIGHTSHIFT_SCHEDULE", schedule.name});
    request->environment.push_back({"NIGHTSHIFT_LOGICAL_TIME", logical});
    request->environment.push_back({"NIGHTSHIFT_FIRE_TRIGGER", std::string(core::Name(fire.trigger))});
    Result<core::Job> job = engine.SubmitJob(*request);
    if (!job.ok()) return job.status();
    return job->id;
  };
}

}  // namespace nightshift::api
