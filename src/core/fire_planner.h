// Fire planner: the pure decisions of a schedule's runtime. Given a schedule (with its progress),
// its timetable and the time now, it decides which fires start, which wait, which are skipped or
// merged and why. The engine persists the records and starts the work; nothing here reads a clock.
//
// Order of decisions for the fires that came due since the schedule's cursor:
//   1. catch-up: fires more than kOnTimeGraceMs late were missed (nightshift was down, stopped
//      or far behind); the catch-up policy picks which of them still run; fires older than the
//      catch-up window never run. On-time fires always run.
//   2. overlap: a fire that is to run while runs of earlier fires are active goes through the
//      overlap policy (skip, buffer, cancel or terminate the other, or allow).
// Every fire ends up in a record; consecutive fires decided alike for the same reason share one
// record (Fire::count), so a year of missed per-minute fires is one line, not half a million.
// Thread-safety: pure functions.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/schedule.h"
#include "schedule/timetable.h"

namespace nightshift::core {

struct FirePlan {
  // Decided fires, in order. Records with outcome kStarted are to be started by the engine,
  // which fills run_id (and appends it to the schedule's active_runs) or, if the start fails,
  // turns the record into kFailed with the error.
  std::vector<Fire> records;
  // Active runs to stop (overlap cancel_other / terminate_other).
  std::vector<std::string> terminate_runs;
};

// Deterministic jitter of one fire in [0, FlexibleTimeWindow): a restart does not move it.
TimeMs JitterMs(const Schedule& schedule, TimeMs logical_time);
TimeMs DueTime(const Schedule& schedule, TimeMs logical_time);

// The first scheduled logical time after the cursor (within StartDate/EndDate), if any.
std::optional<TimeMs> NextLogicalTime(const Schedule& schedule, const schedule::Timetable& timetable);
// When PlanDue must next run: the due time of NextLogicalTime, unless the schedule is disabled.
std::optional<TimeMs> NextDue(const Schedule& schedule, const schedule::Timetable& timetable);

// Decides every fire due by `now` and advances the cursor past them.
FirePlan PlanDue(Schedule& schedule, const schedule::Timetable& timetable, TimeMs now);

// Runs of the schedule ended: starts the oldest buffered fires while fewer than max_active_runs
// runs are active, unless the schedule is disabled.
FirePlan StartBuffered(Schedule& schedule, const schedule::Timetable& timetable, TimeMs now);

// A fire outside the timetable: run now (kManual) or one fire of a backfill (kBackfill), through
// `overlap` (the schedule's own policy unless the caller overrides it).
FirePlan Trigger(Schedule& schedule, const schedule::Timetable& timetable, TimeMs logical_time,
                 FireTrigger trigger, OverlapPolicy overlap, TimeMs now);

// Backfill: every fire of the timetable in [from, to] (inclusive) not yet fired
// (`already_fired` says which were), one after another through `overlap`.
FirePlan Backfill(Schedule& schedule, const schedule::Timetable& timetable, TimeMs from, TimeMs to,
                  OverlapPolicy overlap, TimeMs now,
                  const std::function<bool(TimeMs logical_time)>& already_fired);

// Pause: no fire starts until Resume; buffered fires stay buffered.
void Pause(Schedule& schedule, std::string note, TimeMs now);
// Resume: the fires that came due while paused are recorded as skipped (they are not caught
// up: pausing means "do not run"), the cursor moves to now, and a buffered fire starts if no run
// is active.
FirePlan Resume(Schedule& schedule, const schedule::Timetable& timetable, std::string note, TimeMs now);

// No fire is left to decide (at() done, EndDate or the expression's years passed) and nothing is
// buffered: ActionAfterCompletion applies.
bool Completed(const Schedule& schedule, const schedule::Timetable& timetable);

}  // namespace nightshift::core
