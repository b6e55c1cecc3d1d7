// Schedule targets: what a fire starts. One kind today: EventBridge Scheduler's universal target
// for AWS Batch SubmitJob (core::kSubmitJobTargetArn), whose Input holds SubmitJob's parameters
// as JSON text. EventBridge spells them in PascalCase ("JobName"), the Batch wire in camelCase
// ("jobName"); both are accepted.
// Thread-safety: runs on the engine's loop thread.
#pragma once

#include "core/schedule.h"
#include "engine/engine.h"
#include "engine/requests.h"
#include "util/status.h"

namespace nightshift::api {

// The SubmitJob request a target's Input stands for. Errors name "Target.Input".
Result<engine::SubmitJobRequest> ReadTargetInput(const core::ScheduleTarget& target);

// Whether the target can start work: a known ARN, a valid Input, and a job queue and job
// definition that exist now (so a typo is an error at create time, not at 02:00).
Status ValidateScheduleTarget(const engine::Engine& engine, const core::ScheduleTarget& target);

// The engine's hook for fires: submits the target's job. The job's environment tells it which
// fire it serves: NIGHTSHIFT_SCHEDULE, NIGHTSHIFT_LOGICAL_TIME (RFC 3339 in the schedule's zone)
// and NIGHTSHIFT_FIRE_TRIGGER (schedule, manual or backfill).
engine::Engine::ScheduleTargetStarter SubmitJobTargetStarter(engine::Engine& engine);

}  // namespace nightshift::api
