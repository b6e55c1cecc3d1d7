// Schedules: the Engine keeps every schedule with its timetable in memory, and one timer for the
// earliest due fire (schedule_due_ orders them). The decisions are core::PlanDue & co.; this file
// carries them out inside a loop turn, so a fire's record, the schedule's progress and the job the
// fire submitted are committed in one transaction: a crash loses or doubles none of them.
#include "engine/engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "engine/observability.h"
#include "events/event_codec.h"

namespace nightshift::engine {
namespace {

constexpr size_t kMaxScheduleNameLength = 64;

bool IsPipelineTarget(const core::ScheduleTarget& target) {
  return target.arn.rfind(core::kPipelineTargetArnPrefix, 0) == 0;
}
constexpr int kMaxBackfillFires = 10'000;

Status ValidateScheduleName(const std::string& name) {
  if (name.empty() || name.size() > kMaxScheduleNameLength) {
    return Status::InvalidArgument("Name must be 1 to 64 characters long");
  }
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
      return Status::InvalidArgument("Name may contain only letters, digits, '-', '_' and '.': " + name);
    }
  }
  return Status::Ok();
}

Status GroupNotFound(const std::string& group) {
  return Status::NotFound("Schedule group " + group + " does not exist.");
}

Status ScheduleNotFound(const std::string& name) {
  return Status::NotFound("Schedule " + name + " does not exist.");
}

}  // namespace

Result<schedule::Timetable> Engine::BuildTimetable(const core::Schedule& s) const {
  Result<schedule::Expression> expression = schedule::Expression::Parse(s.expression);
  if (!expression.ok()) return Status::InvalidArgument("ScheduleExpression: " + expression.status().message());
  Result<schedule::Zone> zone = schedule::Zone::Load(s.timezone);
  if (!zone.ok()) return Status::InvalidArgument("ScheduleExpressionTimezone: " + zone.status().message());
  const bool at = expression->kind() == schedule::ExpressionKind::kAt;
  Result<schedule::Timetable> timetable =
      schedule::Timetable::Create(std::move(*expression), std::move(*zone), s.dst, s.anchor);
  if (!timetable.ok()) {
    return Status::InvalidArgument("ScheduleExpression: " + timetable.status().message() +
                                   (at ? "; an at() time must be in the future" : ""));
  }
  return timetable;
}

Status Engine::ValidateSchedule(const core::Schedule& s, const schedule::Timetable& timetable) const {
  NS_RETURN_IF_ERROR(ValidateScheduleName(s.name));
  if (!core::IsKnownScheduleGroup(s.group)) return GroupNotFound(s.group);
  if (IsPipelineTarget(s.target)) {
    const std::string pipeline = s.target.arn.substr(core::kPipelineTargetArnPrefix.size());
    if (!FindPipeline(pipeline)) return Status::InvalidArgument("Target.Arn: pipeline " + pipeline + " does not exist");
  } else if (s.target.arn != core::kSubmitJobTargetArn) {
    return Status::InvalidArgument("Target.Arn: unsupported target " + s.target.arn + "; nightshift supports " +
                                   std::string(core::kSubmitJobTargetArn));
  }
  if (s.start_date && s.end_date && *s.end_date <= *s.start_date) {
    return Status::InvalidArgument("EndDate must be after StartDate");
  }
  if (s.flexible_window_minutes < 0 || s.flexible_window_minutes > 1440) {
    return Status::InvalidArgument("FlexibleTimeWindow.MaximumWindowInMinutes must be between 1 and 1440");
  }
  if (s.catch_up_window_ms <= 0) return Status::InvalidArgument("the catch-up window must be positive");
  if (s.max_active_runs < 1 || s.max_active_runs > 1000) {
    return Status::InvalidArgument("max_active_runs must be between 1 and 1000");
  }
  if (!core::NextLogicalTime(s, timetable)) {
    return Status::InvalidArgument("ScheduleExpression: '" + s.expression +
                                   "' has no fire after now" + (s.end_date ? " and before EndDate" : ""));
  }
  return Status::Ok();
}

Result<Engine::ScheduleEntry*> Engine::FindEntry(const std::string& group, const std::string& name) {
  if (!core::IsKnownScheduleGroup(group)) return GroupNotFound(group);
  auto it = schedules_.find(core::ScheduleKey(group, name));
  if (it == schedules_.end()) return ScheduleNotFound(name);
  return &it->second;
}

const core::Schedule* Engine::FindSchedule(const std::string& group, const std::string& name) const {
  auto it = schedules_.find(core::ScheduleKey(group, name));
  return it == schedules_.end() ? nullptr : &it->second.schedule;
}

std::vector<const core::Schedule*> Engine::Schedules() const {
  std::vector<const core::Schedule*> out;
  out.reserve(schedules_.size());
  for (const auto& [key, entry] : schedules_) out.push_back(&entry.schedule);
  return out;
}

Result<core::Schedule> Engine::CreateSchedule(core::Schedule s) {
  if (s.group.empty()) s.group = core::kDefaultScheduleGroup;
  const TimeMs now = Now();
  s.arn = events::Arn(observe_->origin, "scheduler", "schedule", s.group + "/" + s.name);
  s.created_at = s.modified_at = now;
  s.anchor = s.start_date.value_or(now);
  // Fires before creation or StartDate are not made up for.
  s.cursor = std::max(now, s.start_date.value_or(now) - 1);
  s.active_runs.clear();
  s.buffered.clear();
  Result<schedule::Timetable> timetable = BuildTimetable(s);
  if (!timetable.ok()) return timetable.status();
  NS_RETURN_IF_ERROR(ValidateSchedule(s, *timetable));
  if (s.end_date && *s.end_date <= now) return Status::InvalidArgument("EndDate must be in the future");
  const std::string key = core::ScheduleKey(s);
  if (schedules_.count(key)) return Status::Conflict("Schedule " + s.name + " already exists.");
  auto [it, inserted] = schedules_.emplace(key, ScheduleEntry{s, std::move(*timetable), std::nullopt});
  pending_.schedules.push_back(s);
  Reindex(it->second);
  ScheduleFlush();
  spdlog::info("schedule {} created: '{}' in {}", key, s.expression, s.timezone);
  return s;
}

Result<core::Schedule> Engine::UpdateSchedule(core::Schedule s) {
  if (s.group.empty()) s.group = core::kDefaultScheduleGroup;
  Result<ScheduleEntry*> found = FindEntry(s.group, s.name);
  if (!found.ok()) return found.status();
  const core::Schedule& old = (*found)->schedule;
  s.arn = old.arn;
  s.created_at = old.created_at;
  s.modified_at = Now();
  s.anchor = s.start_date.value_or(old.created_at);
  s.cursor = std::max(old.cursor, s.start_date.value_or(old.cursor) - 1);
  s.active_runs = old.active_runs;
  s.buffered = old.buffered;
  Result<schedule::Timetable> timetable = BuildTimetable(s);
  if (!timetable.ok()) return timetable.status();
  NS_RETURN_IF_ERROR(ValidateSchedule(s, *timetable));
  ScheduleEntry& entry = **found;
  // Enabling a disabled schedule is a resume: the fires of the pause are recorded as skipped,
  // not caught up.
  const bool resumes = old.state == core::ScheduleState::kDisabled && s.state == core::ScheduleState::kEnabled;
  if (resumes) s.state = core::ScheduleState::kDisabled;
  std::string note = std::exchange(s.state_note, old.state_note);
  entry.schedule = std::move(s);
  entry.timetable = std::move(*timetable);
  if (resumes) {
    Apply(entry, core::Resume(entry.schedule, entry.timetable, std::move(note), Now()), Now());
  } else {
    entry.schedule.state_note = std::move(note);
    pending_.schedules.push_back(entry.schedule);
    Reindex(entry);
    ScheduleFlush();
  }
  return entry.schedule;
}

Status Engine::DeleteSchedule(const std::string& group, const std::string& name) {
  Result<ScheduleEntry*> found = FindEntry(group, name);
  if (!found.ok()) return found.status();
  ScheduleEntry& entry = **found;
  for (const std::string& run : entry.schedule.active_runs) run_owners_.erase(run);
  Forget(core::ScheduleKey(entry.schedule));
  return Status::Ok();
}

Result<core::Schedule> Engine::PauseSchedule(const std::string& group, const std::string& name, std::string note) {
  Result<ScheduleEntry*> found = FindEntry(group, name);
  if (!found.ok()) return found.status();
  ScheduleEntry& entry = **found;
  core::Pause(entry.schedule, std::move(note), Now());
  pending_.schedules.push_back(entry.schedule);
  Reindex(entry);
  ScheduleFlush();
  return entry.schedule;
}

Result<core::Schedule> Engine::ResumeSchedule(const std::string& group, const std::string& name, std::string note) {
  Result<ScheduleEntry*> found = FindEntry(group, name);
  if (!found.ok()) return found.status();
  ScheduleEntry& entry = **found;
  const TimeMs now = Now();
  Apply(entry, core::Resume(entry.schedule, entry.timetable, std::move(note), now), now);
  return entry.schedule;
}

Result<std::vector<core::Fire>> Engine::TriggerSchedule(const std::string& group, const std::string& name,
                                                        std::optional<core::OverlapPolicy> overlap) {
  Result<ScheduleEntry*> found = FindEntry(group, name);
  if (!found.ok()) return found.status();
  ScheduleEntry& entry = **found;
  const TimeMs now = Now();
  core::FirePlan plan = core::Trigger(entry.schedule, entry.timetable, now, core::FireTrigger::kManual,
                                      overlap.value_or(entry.schedule.overlap), now);
  const size_t first = pending_.fires.size();
  Apply(entry, std::move(plan), now);
  return std::vector<core::Fire>(pending_.fires.begin() + static_cast<std::ptrdiff_t>(first), pending_.fires.end());
}

Result<Engine::Backfill> Engine::BackfillSchedule(const std::string& group, const std::string& name, TimeMs from,
                                                  TimeMs to, std::optional<core::OverlapPolicy> overlap) {
  Result<ScheduleEntry*> found = FindEntry(group, name);
  if (!found.ok()) return found.status();
  if (to < from) return Status::InvalidArgument("backfill: the end of the range is before its start");
  ScheduleEntry& entry = **found;
  const TimeMs now = Now();
  if (to > now) return Status::InvalidArgument("backfill: the range must end in the past (use trigger to run now)");
  // Fires the timetable made (or a backfill made) already are not made again.
  Backfill result;
  Status lookup_error;
  int count = 0;
  for (std::optional<TimeMs> t = entry.timetable.Next(from - 1); t && *t <= to; t = entry.timetable.Next(*t)) {
    if (++count > kMaxBackfillFires) {
      return Status::InvalidArgument("backfill: the range holds more than " + std::to_string(kMaxBackfillFires) +
                                     " fires; split it");
    }
  }
  const std::string key = core::ScheduleKey(entry.schedule);
  auto ran = [](core::FireOutcome o) { return o == core::FireOutcome::kStarted || o == core::FireOutcome::kBuffered; };
  auto already_fired = [&](TimeMs t) {
    for (core::FireTrigger trigger : {core::FireTrigger::kSchedule, core::FireTrigger::kBackfill}) {
      // Decided but not yet committed: only pending_ or the batch with the writer knows.
      auto find_in = [&](const store::WriteBatch& batch) -> const core::Fire* {
        auto found = std::find_if(batch.fires.rbegin(), batch.fires.rend(), [&](const core::Fire& f) {
          return f.schedule == key && f.logical_time == t && f.trigger == trigger;
        });
        return found == batch.fires.rend() ? nullptr : &*found;
      };
      const core::Fire* uncommitted = find_in(pending_);
      if (!uncommitted && in_flight_) uncommitted = find_in(*in_flight_->batch);
      std::optional<core::Fire> fire;
      if (uncommitted) {
        fire = *uncommitted;
      } else {
        Result<std::optional<core::Fire>> stored = store_.GetFire(key, t, trigger);
        if (!stored.ok()) {
          lookup_error = stored.status();
          return true;
        }
        fire = std::move(*stored);
      }
      if (fire && ran(fire->outcome)) {
        result.already_fired.push_back(t);
        return true;
      }
    }
    return false;
  };
  core::Schedule copy = entry.schedule;
  core::FirePlan plan = core::Backfill(copy, entry.timetable, from, to,
                                       overlap.value_or(core::OverlapPolicy::kBufferAll), now, already_fired);
  if (!lookup_error.ok()) return lookup_error;
  entry.schedule = std::move(copy);
  const size_t first = pending_.fires.size();
  Apply(entry, std::move(plan), now);
  result.fires.assign(pending_.fires.begin() + static_cast<std::ptrdiff_t>(first), pending_.fires.end());
  return result;
}

std::vector<TimeMs> Engine::UpcomingFires(const core::Schedule& s, int count) const {
  std::vector<TimeMs> out;
  auto it = schedules_.find(core::ScheduleKey(s));
  if (it == schedules_.end()) return out;
  core::Schedule probe = s;
  while (static_cast<int>(out.size()) < count) {
    std::optional<TimeMs> next = core::NextLogicalTime(probe, it->second.timetable);
    if (!next) break;
    out.push_back(*next);
    probe.cursor = *next;
  }
  return out;
}

std::optional<TimeMs> Engine::NextDue(const core::Schedule& s) const {
  auto it = schedules_.find(core::ScheduleKey(s));
  if (it == schedules_.end()) return std::nullopt;
  return core::NextDue(s, it->second.timetable);
}

Result<store::FirePage> Engine::ListFires(const store::FireQuery& query) { return store_.ListFires(query); }

// ---------------------------------------------------------------------------------------------
// Runtime

void Engine::RestoreSchedules(std::vector<core::Schedule> schedules) {
  for (core::Schedule& s : schedules) {
    Result<schedule::Timetable> timetable = BuildTimetable(s);
    if (!timetable.ok()) {
      // E.g. a time zone removed from the system's database: keep the schedule visible, not firing.
      spdlog::error("schedule {} cannot fire: {}", core::ScheduleKey(s), timetable.status().message());
      continue;
    }
    // Runs that ended while nightshift was down are no longer active.
    std::erase_if(s.active_runs,
                  [&](const std::string& id) { return scheduler_.Find(id) == nullptr && !runs_.count(id); });
    const std::string key = core::ScheduleKey(s);
    for (const std::string& id : s.active_runs) run_owners_[id] = key;
    auto [it, inserted] = schedules_.emplace(key, ScheduleEntry{std::move(s), std::move(*timetable), std::nullopt});
    Reindex(it->second);
    // A buffered fire whose run ended meanwhile starts at the first turn.
    const core::Schedule& restored = it->second.schedule;
    if (restored.active_runs.size() < static_cast<size_t>(std::max(1, restored.max_active_runs)) &&
        !restored.buffered.empty()) {
      if (it->second.due) schedule_due_.erase({*it->second.due, key});
      it->second.due = Now();
      schedule_due_.insert({*it->second.due, key});
    }
  }
}

void Engine::FireDueSchedules(TimeMs now) {
  while (!schedule_due_.empty() && schedule_due_.begin()->first <= now) {
    const std::string key = schedule_due_.begin()->second;
    ScheduleEntry& entry = schedules_.at(key);
    Apply(entry, core::PlanDue(entry.schedule, entry.timetable, now), now);
  }
}

void Engine::NoteEndedRuns(const std::vector<core::JobTransition>& transitions, TimeMs now) {
  for (const core::JobTransition& t : transitions) {
    if (!core::IsTerminal(t.to)) continue;
    auto owner = run_owners_.find(t.job_id);
    if (owner == run_owners_.end()) continue;
    auto it = schedules_.find(owner->second);
    run_owners_.erase(owner);
    if (it == schedules_.end()) continue;
    std::erase(it->second.schedule.active_runs, t.job_id);
    Apply(it->second, {}, now);
  }
}

void Engine::Apply(ScheduleEntry& entry, core::FirePlan plan, TimeMs now) {
  core::Schedule& s = entry.schedule;
  const std::string key = core::ScheduleKey(s);
  for (;;) {
    for (const std::string& run : plan.terminate_runs) {
      Status st = TerminateJob(run, "Terminated by schedule " + s.name + " (overlap " +
                                        std::string(core::Name(s.overlap)) + ")");
      if (!st.ok()) spdlog::warn("schedule {}: terminating run {}: {}", key, run, st.message());
    }
    for (core::Fire& fire : plan.records) {
      if (fire.outcome == core::FireOutcome::kStarted) {
        Result<std::string> run = IsPipelineTarget(s.target) ? StartPipelineTarget(s, fire)
                                  : start_target_              ? start_target_(s, fire)
                                                               : Result<std::string>(Status::Internal("no target handler"));
        if (run.ok()) {
          fire.run_id = *run;
          s.active_runs.push_back(*run);
          run_owners_[*run] = key;
        } else {
          fire.outcome = core::FireOutcome::kFailed;
          fire.reason = "the target could not be started: " + run.status().message();
          spdlog::warn("schedule {}: {}", key, fire.reason);
        }
      }
      pending_.fires.push_back(std::move(fire));
    }
    // A buffered fire waits for a free slot (max_active_runs); when there is one it starts now
    // (again if a start failed).
    const size_t slots = static_cast<size_t>(std::max(1, s.max_active_runs));
    if (s.active_runs.size() >= slots || s.buffered.empty() || s.state != core::ScheduleState::kEnabled) break;
    plan = core::StartBuffered(s, entry.timetable, now);
  }
  if (s.after_completion == core::AfterCompletion::kDelete && s.active_runs.empty() &&
      core::Completed(s, entry.timetable)) {
    spdlog::info("schedule {} completed; deleted (ActionAfterCompletion DELETE)", key);
    Forget(key);  // `entry` and `s` are gone
    return;
  }
  pending_.schedules.push_back(s);
  Reindex(entry);
  ScheduleFlush();
}

void Engine::Forget(const std::string& key) {
  auto it = schedules_.find(key);
  if (it == schedules_.end()) return;
  if (it->second.due) schedule_due_.erase({*it->second.due, key});
  schedules_.erase(it);
  // The store applies deletions before upserts (so a schedule deleted and re-created in one
  // batch survives): an upsert of this turn must not bring the deleted one back.
  std::erase_if(pending_.schedules, [&](const core::Schedule& s) { return core::ScheduleKey(s) == key; });
  pending_.deleted_schedules.push_back(key);
  ScheduleFlush();
}

void Engine::Reindex(ScheduleEntry& entry) {
  const std::string key = core::ScheduleKey(entry.schedule);
  if (entry.due) schedule_due_.erase({*entry.due, key});
  entry.due = core::NextDue(entry.schedule, entry.timetable);
  if (entry.due) schedule_due_.insert({*entry.due, key});
}

}  // namespace nightshift::engine
