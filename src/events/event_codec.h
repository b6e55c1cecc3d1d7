// Event codec: builds the events nightshift records (core/event.h) from the values whose change
// they describe, with their JSON. The JSON is an envelope in the manner of EventBridge's events
// — {"id", "type", "detail-type", "source", "time", "region", "account", "resources", "detail"} —
// and for jobs the detail mirrors EventBridge's "Batch Job State Change" (AWS Batch's JobDetail:
// jobArn, jobName, jobId, jobQueue, status, statusReason, attempts, ...), plus previousStatus.
// The README documents every shape.
// Pure: no clock, no I/O. Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/event.h"
#include "core/job.h"
#include "core/pipeline.h"
#include "core/schedule.h"
#include "core/scheduler.h"

namespace nightshift::events {

// Where events come from, for ARNs and the envelope.
struct EventOrigin {
  std::string region = "us-east-1";
  std::string account = "000000000000";
};

// arn:aws:<service>:<region>:<account>:<kind>/<name>: every ARN nightshift writes.
std::string Arn(const EventOrigin& origin, std::string_view service, std::string_view kind,
                std::string_view name);

// A change of a schedule itself (not a fire).
enum class ScheduleChange { kCreated, kUpdated, kPaused, kResumed, kDeleted };
std::string_view Name(ScheduleChange change);  // CREATED | UPDATED | PAUSED | RESUMED | DELETED

// What was last reported of a schedule, to tell a change of it from a write of its progress.
struct ScheduleMark {
  core::ScheduleState state = core::ScheduleState::kEnabled;
  TimeMs modified_at = 0;
};
// The change from `before` (nullptr: the schedule was unknown) to `after`, or nullopt if the
// write only moved its progress (cursor, active runs).
std::optional<ScheduleChange> ClassifyScheduleChange(const ScheduleMark* before,
                                                     const core::Schedule& after);

// The job's transition `t`. The job is as it is now (it may have moved on within the same turn);
// status, previous status and reason are the transition's.
core::Event JobEvent(uint64_t id, const core::Job& job, const core::JobTransition& t,
                     const EventOrigin& origin);
// The same in two steps, for a caller that writes the JSON elsewhere (the engine, on its store
// writer thread): the event without its doc, then its doc appended to `out`.
core::Event JobEventHead(uint64_t id, const core::Job& job, const core::JobTransition& t);
void AppendJobEventDoc(std::string& out, uint64_t id, const core::Job& job, const core::JobTransition& t,
                       const EventOrigin& origin);
core::Event RunEvent(uint64_t id, const core::PipelineRun& run, TimeMs at,
                     const EventOrigin& origin);
core::Event FireEvent(uint64_t id, const core::Fire& fire, const EventOrigin& origin);
// For kDeleted only the schedule's group and name are read.
core::Event ScheduleEvent(uint64_t id, const core::Schedule& schedule, ScheduleChange change,
                          TimeMs at, const EventOrigin& origin);

// The pipeline a job belongs to (a step's job carries NIGHTSHIFT_PIPELINE), or "".
std::string PipelineOf(const core::Job& job);

}  // namespace nightshift::events
