#include "events/event_codec.h"

#include <cctype>
#include <nlohmann/json.hpp>

#include "events/batch_json.h"
#include "schedule/timetable.h"

namespace nightshift::events {
namespace {

using Json = nlohmann::ordered_json;

std::string Utc(TimeMs t) { return schedule::FormatRfc3339(t, schedule::Zone::Utc()); }

// AWS Batch's JSON times are epoch milliseconds; absent when not reached yet.
void SetTime(Json& j, const char* key, TimeMs t) {
  if (t > 0) j[key] = t;
}

std::string Arn(const EventOrigin& origin, std::string_view service, std::string_view resource) {
  return "arn:aws:" + std::string(service) + ":" + origin.region + ":" + origin.account + ":" +
         std::string(resource);
}

core::Event Envelope(uint64_t id, core::EventType type, TimeMs at, std::string_view detail_type,
                     std::string_view source, const std::string& resource, Json detail,
                     const EventOrigin& origin) {
  Json j;
  j["id"] = id;
  j["type"] = core::Name(type);
  j["detail-type"] = detail_type;
  j["source"] = source;
  j["time"] = Utc(at);
  j["region"] = origin.region;
  j["account"] = origin.account;
  j["resources"] = resource.empty() ? Json::array() : Json::array({resource});
  j["detail"] = std::move(detail);
  core::Event event;
  event.id = id;
  event.type = type;
  event.at = at;
  event.doc = j.dump();
  return event;
}

Json JobDetail(const core::Job& job, const core::JobTransition& t, const EventOrigin& origin) {
  Json d;
  d["jobArn"] = Arn(origin, "batch", "job/" + job.id);
  d["jobName"] = job.name;
  d["jobId"] = job.id;
  d["jobQueue"] = Arn(origin, "batch", "job-queue/" + job.queue);
  d["status"] = core::JobStateName(t.to);
  d["previousStatus"] = t.from == t.to ? Json(nullptr) : Json(core::JobStateName(t.from));
  d["statusReason"] = t.reason;
  d["attempt"] = job.attempts.size();
  Json attempts = Json::array();
  for (const core::Attempt& a : job.attempts) {
    if (a.stopped_at) attempts.push_back(AttemptJson(a));  // AWS lists finished attempts
  }
  d["attempts"] = std::move(attempts);
  SetTime(d, "createdAt", job.created_at);
  SetTime(d, "startedAt", job.started_at);
  SetTime(d, "stoppedAt", job.stopped_at);
  if (job.spec) d["retryStrategy"] = {{"attempts", job.spec->retry.attempts}};
  d["dependsOn"] = DependsOnJson(job.depends_on);
  d["jobDefinition"] = Arn(origin, "batch", "job-definition/" + job.definition);
  d["parameters"] = job.parameters;
  d["tags"] = job.tags;
  Json container;
  if (job.spec) container["command"] = job.spec->command;
  if (!job.attempts.empty()) {
    const core::Attempt& last = job.attempts.back();
    if (last.exit_code) container["exitCode"] = *last.exit_code;
    if (!last.reason.empty()) container["reason"] = last.reason;
    container["logStreamName"] = last.log_stream_name;
  }
  d["container"] = std::move(container);
  if (job.array_size > 0) d["arrayProperties"] = {{"size", job.array_size}};
  if (job.array_index) d["arrayProperties"] = {{"index", *job.array_index}};
  if (!job.compute_environment.empty()) d["computeEnvironment"] = job.compute_environment;
  return d;
}

std::string_view EnvValue(const core::Job& job, std::string_view name) {
  if (!job.spec) return {};
  for (const core::EnvVar& v : job.spec->environment) {
    if (v.name == name) return v.value;
  }
  return {};
}

}  // namespace

std::string_view Name(ScheduleChange change) {
  switch (change) {
    case ScheduleChange::kCreated:
      return "CREATED";
    case ScheduleChange::kUpdated:
      return "UPDATED";
    case ScheduleChange::kPaused:
      return "PAUSED";
    case ScheduleChange::kResumed:
      return "RESUMED";
    case ScheduleChange::kDeleted:
      return "DELETED";
  }
  return "UPDATED";
}

std::optional<ScheduleChange> ClassifyScheduleChange(const ScheduleMark* before,
                                                     const core::Schedule& after) {
  if (!before) return ScheduleChange::kCreated;
  if (before->state != after.state) {
    return after.state == core::ScheduleState::kDisabled ? ScheduleChange::kPaused
                                                         : ScheduleChange::kResumed;
  }
  if (before->modified_at != after.modified_at) return ScheduleChange::kUpdated;
  return std::nullopt;
}

std::string PipelineOf(const core::Job& job) {
  return std::string(EnvValue(job, "NIGHTSHIFT_PIPELINE"));
}

core::Event JobEvent(uint64_t id, const core::Job& job, const core::JobTransition& t,
                     const EventOrigin& origin) {
  Json detail = JobDetail(job, t, origin);
  const std::string pipeline = PipelineOf(job);
  if (!pipeline.empty()) {
    detail["pipeline"] = pipeline;
    detail["runId"] = EnvValue(job, "NIGHTSHIFT_RUN_ID");
    detail["step"] = EnvValue(job, "NIGHTSHIFT_STEP");
  }
  std::string arn = detail["jobArn"];
  core::Event e = Envelope(id, core::EventType::kJob, t.at, "Batch Job State Change", "aws.batch",
                           arn, std::move(detail), origin);
  e.status = core::JobStateName(t.to);
  e.queue = job.queue;
  e.pipeline = pipeline;
  return e;
}

core::Event RunEvent(uint64_t id, const core::PipelineRun& run, TimeMs at,
                     const EventOrigin& origin) {
  Json steps = Json::array();
  for (const core::StepRun& s : run.steps) {
    Json step{{"name", s.name}, {"state", core::Name(s.state)}};
    step["jobId"] = s.job_id.empty() ? Json(nullptr) : Json(s.job_id);
    if (s.exit_code) step["exitCode"] = *s.exit_code;
    steps.push_back(std::move(step));
  }
  Json d;
  d["runId"] = run.id;
  d["pipeline"] = run.pipeline;
  d["version"] = run.version;
  d["status"] = core::Name(run.state);
  d["statusReason"] = run.reason;
  d["trigger"] = run.trigger;
  d["logicalDate"] = Utc(run.logical_time);
  d["tries"] = run.tries;
  SetTime(d, "createdAt", run.created_at);
  SetTime(d, "stoppedAt", run.stopped_at);
  d["steps"] = std::move(steps);
  core::Event e = Envelope(id, core::EventType::kRun, at, "Pipeline Run State Change",
                           "nightshift.pipelines", "", std::move(d), origin);
  e.status = core::Name(run.state);
  e.pipeline = run.pipeline;
  return e;
}

core::Event FireEvent(uint64_t id, const core::Fire& fire, const EventOrigin& origin) {
  const size_t slash = fire.schedule.find('/');
  const std::string group = slash == std::string::npos ? "" : fire.schedule.substr(0, slash);
  const std::string name =
      slash == std::string::npos ? fire.schedule : fire.schedule.substr(slash + 1);
  std::string status(core::Name(fire.outcome));
  for (char& c : status) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  Json d;
  d["schedule"] = name;
  d["group"] = group;
  d["status"] = status;
  d["reason"] = fire.reason;
  d["trigger"] = core::Name(fire.trigger);
  d["logicalTime"] = Utc(fire.logical_time);
  d["dueTime"] = Utc(fire.due_time);
  d["decidedAt"] = Utc(fire.decided_at);
  d["latenessMs"] = fire.lateness_ms();
  d["target"] = fire.run_id.empty() ? Json(nullptr) : Json(fire.run_id);
  d["count"] = fire.count;
  if (fire.count > 1) d["lastLogicalTime"] = Utc(fire.last_logical_time);
  core::Event e = Envelope(
      id, core::EventType::kSchedule, fire.decided_at, "Schedule Fire", "nightshift.scheduler",
      Arn(origin, "scheduler", "schedule/" + fire.schedule), std::move(d), origin);
  e.status = status;
  if (group == "pipelines") e.pipeline = name;
  return e;
}

core::Event ScheduleEvent(uint64_t id, const core::Schedule& s, ScheduleChange change, TimeMs at,
                          const EventOrigin& origin) {
  Json d;
  d["schedule"] = s.name;
  d["group"] = s.group;
  d["status"] = Name(change);
  if (change != ScheduleChange::kDeleted) {
    d["state"] = core::Name(s.state);
    d["note"] = s.state_note;
    d["expression"] = s.expression;
    d["timezone"] = s.timezone;
  }
  core::Event e =
      Envelope(id, core::EventType::kSchedule, at, "Schedule State Change", "nightshift.scheduler",
               Arn(origin, "scheduler", "schedule/" + core::ScheduleKey(s)), std::move(d), origin);
  e.status = Name(change);
  if (s.group == "pipelines") e.pipeline = s.name;
  return e;
}

}  // namespace nightshift::events
