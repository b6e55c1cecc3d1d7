// Schedules: a time expression, a target to start at each fire, and explicit policies for what
// time makes irregular (daylight saving, overlapping runs, downtime, jitter). Each fire is
// recorded (Fire) under a unique key (schedule, logical time, trigger) in the same commit that
// creates its work, so a fire can be neither lost nor doubled by a crash.
// Thread-safety: plain values owned by the engine's loop.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schedule/timetable.h"
#include "util/clock.h"

namespace nightshift::core {

enum class ScheduleState { kEnabled, kDisabled };

// What a fire does while runs of earlier fires are still active (Temporal's set).
enum class OverlapPolicy {
  kSkip,            // record the fire as skipped (default)
  kBufferOne,       // start it when the active run ends; a newer buffered fire replaces it
  kBufferAll,       // start every buffered fire in turn, one after another
  kCancelOther,     // terminate the active run, start this one when it has ended
  kTerminateOther,  // terminate the active run and start this one at once
  kAllowAll,        // start it alongside
};

// Which fires missed while nightshift was down (or paused by SIGSTOP, or behind) still run.
// A fire is missed when it is more than kOnTimeGraceMs late.
enum class CatchUpPolicy {
  kNone,    // none: each missed fire is recorded as skipped
  kLatest,  // the most recent missed fire runs, the others are merged into it (default)
  kAll,     // every missed fire within the window runs, in order
};

enum class AfterCompletion { kNone, kDelete };  // AWS ActionAfterCompletion

inline constexpr TimeMs kOnTimeGraceMs = 60'000;
inline constexpr TimeMs kDefaultCatchUpWindowMs = 7LL * 24 * 3600 * 1000;

// EventBridge Scheduler's universal target for AWS Batch SubmitJob; Input holds its parameters.
inline constexpr std::string_view kSubmitJobTargetArn = "arn:aws:scheduler:::aws-sdk:batch:submitJob";
// nightshift's own target: a run of the pipeline named after the prefix.
inline constexpr std::string_view kPipelineTargetArnPrefix = "nightshift:pipeline:";
// The group of pipelines' schedules, each named after its pipeline and kept by the pipeline's file.
inline constexpr char kPipelineScheduleGroup[] = "pipelines";
// The group of a schedule created without one (EventBridge Scheduler's "default").
inline constexpr char kDefaultScheduleGroup[] = "default";
// The only groups there are: the default one and the pipelines'.
inline bool IsKnownScheduleGroup(std::string_view group) {
  return group == kDefaultScheduleGroup || group == kPipelineScheduleGroup;
}

struct ScheduleTarget {
  std::string arn;         // kSubmitJobTargetArn, or kPipelineTargetArnPrefix + pipeline name
  std::string role_arn;    // required by AWS; stored and echoed, nightshift assumes no role
  std::string input;       // JSON text as given
  std::string extra_json;  // RetryPolicy, DeadLetterConfig, ...: echoed as given
};

enum class FireTrigger { kSchedule, kManual, kBackfill };

// A fire held back by the overlap policy until the active runs end.
struct BufferedFire {
  TimeMs logical_time = 0;
  FireTrigger trigger = FireTrigger::kSchedule;
};

struct Schedule {
  // --- What the client defined.
  std::string group = "default";
  std::string name;
  std::string arn;
  std::string description;
  std::string expression;
  std::string timezone = "UTC";
  schedule::DstPolicy dst;
  ScheduleState state = ScheduleState::kEnabled;
  std::string state_note;  // why it was paused or resumed, and by whom
  std::optional<TimeMs> start_date;
  std::optional<TimeMs> end_date;
  int flexible_window_minutes = 0;  // 0: FlexibleTimeWindow OFF; else jitter in [0, window)
  OverlapPolicy overlap = OverlapPolicy::kSkip;
  CatchUpPolicy catch_up = CatchUpPolicy::kLatest;
  TimeMs catch_up_window_ms = kDefaultCatchUpWindowMs;
  // How many runs of this schedule may be active at once before a fire overlaps (Airflow's
  // max_active_runs): buffered fires and backfills start up to this many together.
  int max_active_runs = 1;
  AfterCompletion after_completion = AfterCompletion::kNone;
  ScheduleTarget target;
  std::string kms_key_arn;
  TimeMs created_at = 0;
  TimeMs modified_at = 0;
  std::map<std::string, std::string> tags;

  // --- Progress, kept by the engine.
  TimeMs anchor = 0;  // rate() fires at anchor + k * interval: StartDate, else creation time
  TimeMs cursor = 0;  // every scheduled logical time <= cursor has been decided
  std::vector<std::string> active_runs;  // job ids of started fires not yet known to have ended
  std::vector<BufferedFire> buffered;    // waiting for the active runs to end, oldest first
};

// "group/name": the key of a schedule in the store and in fire records.
inline std::string ScheduleKey(std::string_view group, std::string_view name) {
  return std::string(group) + "/" + std::string(name);
}
inline std::string ScheduleKey(const Schedule& s) { return ScheduleKey(s.group, s.name); }

enum class FireOutcome {
  kStarted,   // the target was started (run_id)
  kSkipped,   // not run: reason says why (overlap, catch-up none, paused, outside the window)
  kMerged,    // not run: folded into a later fire that ran (catch-up latest, buffer_one)
  kBuffered,  // waiting for an active run to end; becomes kStarted or kMerged
  kFailed,    // the target could not be started (reason: the error)
};

// One decided fire, or a range of consecutive fires decided alike (count > 1, e.g. 10,000
// per-minute fires skipped during a long downtime are one record, not 10,000).
struct Fire {
  std::string schedule;  // ScheduleKey
  TimeMs logical_time = 0;  // the instant the fire stands for
  FireTrigger trigger = FireTrigger::kSchedule;
  TimeMs due_time = 0;      // logical_time plus jitter: when it should have run
  TimeMs decided_at = 0;    // when nightshift decided (started, skipped, ...)
  FireOutcome outcome = FireOutcome::kStarted;
  std::string reason;
  std::string run_id;  // the job started for it
  int64_t count = 1;
  TimeMs last_logical_time = 0;  // count > 1: the last fire of the range

  TimeMs lateness_ms() const { return decided_at - due_time; }
};

std::string_view Name(ScheduleState state);          // ENABLED | DISABLED
std::string_view Name(OverlapPolicy policy);         // skip | buffer_one | ...
std::string_view Name(CatchUpPolicy policy);         // none | latest | all
std::string_view Name(AfterCompletion action);       // NONE | DELETE
std::string_view Name(FireTrigger trigger);          // schedule | manual | backfill
std::string_view Name(FireOutcome outcome);          // started | skipped | ...
// Errors: kInvalidArgument listing the accepted names.
Result<ScheduleState> ParseScheduleState(std::string_view text);
Result<OverlapPolicy> ParseOverlapPolicy(std::string_view text);
Result<CatchUpPolicy> ParseCatchUpPolicy(std::string_view text);
Result<AfterCompletion> ParseAfterCompletion(std::string_view text);

}  // namespace nightshift::core
