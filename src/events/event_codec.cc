#include "events/event_codec.h"

#include <cctype>
#include <nlohmann/json.hpp>

#include "events/batch_json.h"
#include "events/json_writer.h"
#include "schedule/timetable.h"

namespace nightshift::events {
namespace {

using Json = nlohmann::ordered_json;

// AWS Batch's JSON times are epoch milliseconds; absent when not reached yet.
void SetTime(Json& j, const char* key, TimeMs t) {
  if (t > 0) j[key] = t;
}

std::string_view EnvValue(const core::Job& job, std::string_view name) {
  if (!job.spec) return {};
  for (const core::EnvVar& v : job.spec->environment) {
    if (v.name == name) return v.value;
  }
  return {};
}

// A job event's JSON is about 1 KB; written into a buffer of this size, it needs no reallocation.
constexpr size_t kDocBufferBytes = 4096;

// The event's JSON, appended to `out`: the envelope EventBridge uses around the detail, which
// `write_detail(w)` writes in place.
template <typename WriteDetail>
void WriteEnvelope(std::string& out, uint64_t id, core::EventType type, TimeMs at, std::string_view detail_type,
                   std::string_view source, std::string_view resource, const EventOrigin& origin,
                   const WriteDetail& write_detail) {
  JsonWriter w(out);
  w.BeginObject()
      .Key("id").Int(static_cast<int64_t>(id))
      .Key("type").String(core::Name(type))
      .Key("detail-type").String(detail_type)
      .Key("source").String(source)
      .Key("time").String(schedule::FormatUtc(at))
      .Key("region").String(origin.region)
      .Key("account").String(origin.account)
      .Key("resources").BeginArray();
  if (!resource.empty()) w.String(resource);
  w.EndArray().Key("detail");
  write_detail(w);
  w.EndObject();
}

// The event's JSON: the envelope EventBridge uses around `detail_json`.
core::Event EnvelopeAround(uint64_t id, core::EventType type, TimeMs at, std::string_view detail_type,
                     std::string_view source, const std::string& resource,
                     std::string_view detail_json, const EventOrigin& origin) {
  core::Event event;
  event.id = id;
  event.type = type;
  event.at = at;
  WriteEnvelope(event.doc, id, type, at, detail_type, source, resource, origin,
                [&](JsonWriter& w) { w.Raw(detail_json); });
  return event;
}

core::Event Envelope(uint64_t id, core::EventType type, TimeMs at, std::string_view detail_type,
                     std::string_view source, const std::string& resource, const Json& detail,
                     const EventOrigin& origin) {
  return EnvelopeAround(id, type, at, detail_type, source, resource,
                        detail.dump(-1, ' ', false, Json::error_handler_t::replace), origin);
}

void WriteTime(JsonWriter& w, JsonWriter::PlainKey key, TimeMs t) {
  if (t > 0) w.Key(key).Int(t);
}

// AWS's "Batch Job State Change" detail, written directly: one per job transition.
void WriteJobDetail(JsonWriter& w, const core::Job& job, const core::JobTransition& t,
                    const EventOrigin& origin, std::string_view job_arn) {
  w.BeginObject()
      .Key("jobArn").String(job_arn)
      .Key("jobName").String(job.name)
      .Key("jobId").String(job.id)
      .Key("jobQueue").String(Arn(origin, "batch", "job-queue", job.queue))
      .Key("status").String(core::JobStateName(t.to))
      .Key("previousStatus");
  if (t.from == t.to) {
    w.Null();
  } else {
    w.String(core::JobStateName(t.from));
  }
  w.Key("statusReason").String(t.reason).Key("attempt").Int(static_cast<int64_t>(job.attempts.size()));
  w.Key("attempts").BeginArray();
  for (const core::Attempt& a : job.attempts) {
    if (a.stopped_at) WriteAttempt(w, a);  // AWS lists finished attempts
  }
  w.EndArray();
  WriteTime(w, "createdAt", job.created_at);
  WriteTime(w, "startedAt", job.started_at);
  WriteTime(w, "stoppedAt", job.stopped_at);
  if (job.spec) w.Key("retryStrategy").BeginObject().Key("attempts").Int(job.spec->retry.attempts).EndObject();
  w.Key("dependsOn");
  WriteDependsOn(w, job.depends_on);
  w.Key("jobDefinition").String(Arn(origin, "batch", "job-definition", job.definition));
  w.Key("parameters").StringMap(job.parameters).Key("tags").StringMap(job.tags);
  w.Key("container").BeginObject();
  if (job.spec) w.Key("command").StringArray(job.spec->command);
  if (!job.attempts.empty()) {
    const core::Attempt& last = job.attempts.back();
    if (last.exit_code) w.Key("exitCode").Int(*last.exit_code);
    if (!last.reason.empty()) w.Key("reason").String(last.reason);
    w.Key("logStreamName").String(last.log_stream_name);
  }
  w.EndObject();
  if (job.array_index) {
    w.Key("arrayProperties").BeginObject().Key("index").Int(*job.array_index).EndObject();
  } else if (job.array_size > 0) {
    w.Key("arrayProperties").BeginObject().Key("size").Int(job.array_size).EndObject();
  }
  if (!job.compute_environment.empty()) w.Key("computeEnvironment").String(job.compute_environment);
  const std::string pipeline = PipelineOf(job);
  if (!pipeline.empty()) {
    w.Key("pipeline").String(pipeline)
        .Key("runId").String(EnvValue(job, "NIGHTSHIFT_RUN_ID"))
        .Key("step").String(EnvValue(job, "NIGHTSHIFT_STEP"));
  }
  w.EndObject();
}

}  // namespace

// Built in one allocation (three per job event).
std::string Arn(const EventOrigin& origin, std::string_view service, std::string_view kind,
                std::string_view name) {
  constexpr std::string_view kPrefix = "arn:aws:";
  std::string arn;
  arn.reserve(kPrefix.size() + service.size() + origin.region.size() + origin.account.size() +
              kind.size() + name.size() + 4);
  arn.append(kPrefix).append(service).append(1, ':').append(origin.region).append(1, ':');
  arn.append(origin.account).append(1, ':').append(kind).append(1, '/').append(name);
  return arn;
}

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
  core::Event e = JobEventHead(id, job, t);
  AppendJobEventDoc(e.doc, id, job, t, origin);
  return e;
}

core::Event JobEventHead(uint64_t id, const core::Job& job, const core::JobTransition& t) {
  core::Event e;
  e.id = id;
  e.type = core::EventType::kJob;
  e.at = t.at;
  e.status = core::JobStateName(t.to);
  e.queue = job.queue;
  e.pipeline = PipelineOf(job);
  return e;
}

void AppendJobEventDoc(std::string& out, uint64_t id, const core::Job& job, const core::JobTransition& t,
                       const EventOrigin& origin) {
  const std::string job_arn = Arn(origin, "batch", "job", job.id);
  // Written into a buffer with room to spare, then appended at its exact size: a doc grown in
  // place keeps up to twice its length in capacity, and a turn that changes 100,000 jobs holds
  // 200,000 docs until the event listeners drop them.
  thread_local std::string buffer;
  buffer.clear();
  buffer.reserve(kDocBufferBytes);
  WriteEnvelope(buffer, id, core::EventType::kJob, t.at, "Batch Job State Change", "aws.batch", job_arn, origin,
                [&](JsonWriter& w) { WriteJobDetail(w, job, t, origin, job_arn); });
  out.append(buffer);  // an empty `out` grows to exactly this size
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
  d["logicalDate"] = schedule::FormatUtc(run.logical_time);
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
  d["logicalTime"] = schedule::FormatUtc(fire.logical_time);
  d["dueTime"] = schedule::FormatUtc(fire.due_time);
  d["decidedAt"] = schedule::FormatUtc(fire.decided_at);
  d["latenessMs"] = fire.lateness_ms();
  d["target"] = fire.run_id.empty() ? Json(nullptr) : Json(fire.run_id);
  d["count"] = fire.count;
  if (fire.count > 1) d["lastLogicalTime"] = schedule::FormatUtc(fire.last_logical_time);
  core::Event e = Envelope(
      id, core::EventType::kSchedule, fire.decided_at, "Schedule Fire", "nightshift.scheduler",
      Arn(origin, "scheduler", "schedule", fire.schedule), std::move(d), origin);
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
               Arn(origin, "scheduler", "schedule", core::ScheduleKey(s)), std::move(d), origin);
  e.status = Name(change);
  if (s.group == "pipelines") e.pipeline = s.name;
  return e;
}

}  // namespace nightshift::events
