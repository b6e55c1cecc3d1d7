#include "api/overview_api.h"

#include <algorithm>
#include <array>

#include "engine/engine_metrics.h"
#include "metrics/throughput.h"
#include "schedule/timetable.h"

namespace nightshift::api {
namespace {

constexpr int kRecentFailures = 10;
constexpr TimeMs kUpcomingWindowMs = 24 * 3600 * 1000;
constexpr int kUpcomingPerSchedule = 48;
constexpr size_t kUpcomingMax = 200;

constexpr std::array kStates = {core::JobState::kSubmitted, core::JobState::kPending,
                                core::JobState::kRunnable,  core::JobState::kStarting,
                                core::JobState::kRunning,   core::JobState::kSucceeded,
                                core::JobState::kFailed};

Json ZeroCounts() {
  Json counts = Json::object();
  for (core::JobState s : kStates) counts[std::string(core::JobStateName(s))] = 0;
  return counts;
}

bool Waiting(core::JobState s) {
  return s == core::JobState::kSubmitted || s == core::JobState::kPending || s == core::JobState::kRunnable;
}

bool Started(core::JobState s) { return s == core::JobState::kStarting || s == core::JobState::kRunning; }

constexpr char kOverviewSchema[] = R"({"type": "object",
  "required": ["time", "jobs", "queues", "compute_environments", "recent_failures", "upcoming_fires", "throughput"],
  "properties": {
    "time": {"type": "string", "format": "date-time"},
    "jobs": {"type": "object", "description": "top-level jobs per state", "additionalProperties": {"type": "integer"}},
    "queues": {"type": "array", "items": {"type": "object", "properties": {
      "name": {"type": "string"}, "state": {"type": "string"}, "priority": {"type": "integer"},
      "compute_environments": {"type": "array", "items": {"type": "string"}},
      "jobs": {"type": "object", "additionalProperties": {"type": "integer"}},
      "depth": {"type": "integer", "description": "jobs waiting (SUBMITTED, PENDING, RUNNABLE), array children included"},
      "running": {"type": "integer", "description": "jobs STARTING or RUNNING, array children included"},
      "vcpus_used": {"type": "number"}, "vcpus_capacity": {"type": "number"}}}},
    "compute_environments": {"type": "array", "items": {"type": "object", "properties": {
      "name": {"type": "string"}, "type": {"type": "string"}, "state": {"type": "string"},
      "max_vcpus": {"type": "number"}, "used_vcpus": {"type": "number"}, "max_memory_mib": {"type": "integer"}}}},
    "recent_failures": {"type": "array", "items": {"type": "object", "properties": {
      "jobId": {"type": "string"}, "jobName": {"type": "string"}, "queue": {"type": "string"},
      "stoppedAt": {"type": "integer"}, "statusReason": {"type": "string"},
      "exitCode": {"type": "integer", "nullable": true}}}},
    "upcoming_fires": {"type": "array", "items": {"type": "object", "properties": {
      "schedule": {"type": "string"}, "group": {"type": "string"}, "timezone": {"type": "string"},
      "time": {"type": "string", "format": "date-time"}, "local_time": {"type": "string", "format": "date-time"}}}},
    "throughput": {"type": "array", "items": {"type": "object", "properties": {
      "start": {"type": "string", "format": "date-time"},
      "succeeded": {"type": "integer"}, "failed": {"type": "integer"}}}}}})";

}  // namespace

std::span<const Route<OverviewApi>> OverviewApi::Routes() {
  static constexpr Route<OverviewApi> kRoutes[] = {
      {.spec = {.method = "GET",
                .path = "/api/v1/overview",
                .operation_id = "getOverview",
                .access = auth::Access::kViewer,
                .summary = "Jobs per state, queues and compute environments with capacity used, recent failures, the "
                           "next 24 hours of schedule fires and jobs ended per minute (the web UI's first page)",
                .response = kOverviewSchema},
       .json = &OverviewApi::Overview},
      {.spec = {.method = "GET",
                .path = "/api/v1/whoami",
                .operation_id = "whoAmI",
                .access = auth::Access::kViewer,
                .summary = "Who the request's credential is, its role, and whether the server checks credentials",
                .response = R"({"type": "object", "required": ["authentication", "actor", "role", "kind"], "properties": {
            "authentication": {"type": "boolean", "description": "whether the server checks credentials"},
            "actor": {"type": "string", "description": "as the audit log names it"},
            "role": {"type": "string", "enum": ["viewer", "operator", "admin"]},
            "kind": {"type": "string", "enum": ["anonymous", "access_key", "token"]}}})"},
       .json = &OverviewApi::WhoAmI},
  };
  return kRoutes;
}

bool OverviewApi::Handle(const HttpRequest& request, const Respond& respond) {
  return Serve(*this, Routes(), {engine_, AwsService::kBatch}, request, respond);
}

Result<Json> OverviewApi::Overview(const RouteCall& call) {
  Result<std::vector<store::JobCount>> counts = engine_.CountJobs();
  if (!counts.ok()) return counts.status();
  Json totals = ZeroCounts();
  Json by_queue = Json::object();
  for (const store::JobCount& c : *counts) {
    const std::string state(core::JobStateName(c.state));
    totals[state] = totals[state].get<int64_t>() + c.count;
    if (!by_queue.contains(c.queue)) by_queue[c.queue] = ZeroCounts();
    by_queue[c.queue][state] = c.count;
  }
  Result<Json> failures = RecentFailures();
  if (!failures.ok()) return failures.status();
  return Json{{"time", schedule::FormatUtc(engine_.Now())},
              {"jobs", std::move(totals)},
              {"queues", QueuesJson(by_queue)},
              {"compute_environments", ComputeEnvironmentsJson()},
              {"recent_failures", std::move(*failures)},
              {"upcoming_fires", UpcomingFires()},
              {"throughput", ThroughputJson()}};
}

Json OverviewApi::QueuesJson(const Json& stored_by_queue) const {
  const std::map<std::pair<std::string, core::JobState>, int> live = engine_.ActiveJobCounts();
  Json queues = Json::array();
  for (const auto& [name, q] : engine_.job_queues()) {
    int depth = 0, running = 0;
    for (auto it = live.lower_bound({name, kStates.front()}); it != live.end() && it->first.first == name; ++it) {
      if (Waiting(it->first.second)) depth += it->second;
      if (Started(it->first.second)) running += it->second;
    }
    double used = 0, capacity = 0;
    for (const std::string& ce_name : q.compute_environments) {
      used += engine_.UsedVcpus(ce_name);
      if (const core::ComputeEnvironment* ce = engine_.FindComputeEnvironment(ce_name)) capacity += ce->max_vcpus;
    }
    queues.push_back({{"name", name},
                      {"state", q.enabled ? "ENABLED" : "DISABLED"},
                      {"priority", q.priority},
                      {"compute_environments", q.compute_environments},
                      {"jobs", stored_by_queue.contains(name) ? stored_by_queue[name] : ZeroCounts()},
                      {"depth", depth},
                      {"running", running},
                      {"vcpus_used", used},
                      {"vcpus_capacity", capacity}});
  }
  return queues;
}

Json OverviewApi::ComputeEnvironmentsJson() const {
  Json ces = Json::array();
  for (const auto& [name, ce] : engine_.compute_environments()) {
    ces.push_back({{"name", name},
                   {"type", ce.type},
                   {"state", ce.enabled ? "ENABLED" : "DISABLED"},
                   {"max_vcpus", ce.max_vcpus},
                   {"used_vcpus", engine_.UsedVcpus(name)},
                   {"max_memory_mib", ce.max_memory_mib}});
  }
  return ces;
}

// The newest failed top-level jobs of every queue (each queue's page is read from its
// queue/state index), the latest to stop first.
Result<Json> OverviewApi::RecentFailures() {
  std::vector<core::Job> failed;
  for (const auto& [name, q] : engine_.job_queues()) {
    store::JobQuery query;
    query.queue = name;
    query.states = {core::JobState::kFailed};
    query.limit = kRecentFailures;
    Result<store::JobPage> page = engine_.ListJobs(query);
    if (!page.ok()) return page.status();
    for (core::Job& job : page->jobs) failed.push_back(std::move(job));
  }
  std::sort(failed.begin(), failed.end(),
            [](const core::Job& a, const core::Job& b) { return a.stopped_at > b.stopped_at; });
  if (failed.size() > kRecentFailures) failed.resize(kRecentFailures);
  Json out = Json::array();
  for (const core::Job& job : failed) {
    Json exit_code = nullptr;
    if (!job.attempts.empty() && job.attempts.back().exit_code) exit_code = *job.attempts.back().exit_code;
    out.push_back({{"jobId", job.id},
                   {"jobName", job.name},
                   {"queue", job.queue},
                   {"stoppedAt", job.stopped_at},
                   {"statusReason", job.status_reason},
                   {"exitCode", std::move(exit_code)}});
  }
  return out;
}

Json OverviewApi::UpcomingFires() const {
  const TimeMs now = engine_.Now();
  struct Upcoming {
    TimeMs at;
    const core::Schedule* schedule;
  };
  std::vector<Upcoming> upcoming;
  for (const core::Schedule* s : engine_.Schedules()) {
    if (s->state != core::ScheduleState::kEnabled) continue;
    for (TimeMs at : engine_.UpcomingFires(*s, kUpcomingPerSchedule)) {
      if (at > now + kUpcomingWindowMs) break;
      upcoming.push_back({at, s});
    }
  }
  std::sort(upcoming.begin(), upcoming.end(), [](const Upcoming& a, const Upcoming& b) { return a.at < b.at; });
  if (upcoming.size() > kUpcomingMax) upcoming.resize(kUpcomingMax);
  Json out = Json::array();
  for (const Upcoming& u : upcoming) {
    Result<schedule::Zone> zone = schedule::Zone::Load(u.schedule->timezone);
    out.push_back({{"schedule", u.schedule->name},
                   {"group", u.schedule->group},
                   {"timezone", u.schedule->timezone},
                   {"time", schedule::FormatUtc(u.at)},
                   {"local_time", schedule::FormatRfc3339(u.at, zone.ok() ? *zone : schedule::Zone::Utc())}});
  }
  return out;
}

Json OverviewApi::ThroughputJson() const {
  Json out = Json::array();
  for (const metrics::Throughput::Minute& m : engine_.metrics().throughput().Recent(engine_.Now())) {
    out.push_back({{"start", schedule::FormatUtc(m.start)}, {"succeeded", m.succeeded}, {"failed", m.failed}});
  }
  return out;
}

Result<Json> OverviewApi::WhoAmI(const RouteCall& call) {
  const auth::Identity who = call.request.identity.value_or(auth::Identity{});
  const char* kind = who.kind == auth::CredentialKind::kToken       ? "token"
                     : who.kind == auth::CredentialKind::kAccessKey ? "access_key"
                                                                    : "anonymous";
  return Json{{"authentication", authenticator_.enabled()},
              {"actor", who.Actor()},
              {"role", auth::RoleName(who.role)},
              {"kind", kind}};
}

}  // namespace nightshift::api
