#include "core/fire_planner.h"

#include <algorithm>
#include <utility>

namespace nightshift::core {
namespace {

// "90 s", "12 min", "3 h 5 min", "2 d 4 h": how late a fire was, for reasons.
std::string Duration(TimeMs ms) {
  const int64_t s = std::max<TimeMs>(0, ms) / 1000;
  if (s < 120) return std::to_string(s) + " s";
  if (s < 7200) return std::to_string(s / 60) + " min";
  if (s < 2 * 86400) return std::to_string(s / 3600) + " h " + std::to_string(s / 60 % 60) + " min";
  return std::to_string(s / 86400) + " d " + std::to_string(s / 3600 % 24) + " h";
}

std::string RunList(const std::vector<std::string>& runs) {
  std::string out;
  for (const std::string& id : runs) out += (out.empty() ? "" : ", ") + id;
  return runs.size() == 1 ? "job " + out : "jobs " + out;
}

// One plan in the making: the schedule it changes, and whether a run is active (including runs
// this plan starts).
class Planner {
 public:
  Planner(Schedule& schedule, const schedule::Zone& zone, TimeMs now)
      : s_(schedule), zone_(zone), now_(now) {}

  std::string When(TimeMs t) const { return schedule::FormatRfc3339(t, zone_); }

  Fire Make(TimeMs logical_time, FireTrigger trigger) const {
    Fire f;
    f.schedule = ScheduleKey(s_);
    f.logical_time = logical_time;
    f.last_logical_time = logical_time;
    f.trigger = trigger;
    f.due_time = trigger == FireTrigger::kSchedule ? DueTime(s_, logical_time) : logical_time;
    f.decided_at = now_;
    return f;
  }

  // A fire that does not run. Consecutive fresh decisions alike share one record.
  void NotRun(Fire f, FireOutcome outcome, std::string reason) {
    f.outcome = outcome;
    f.reason = std::move(reason);
    if (!plan_.records.empty()) {
      Fire& last = plan_.records.back();
      if (last.outcome == f.outcome && last.reason == f.reason && last.trigger == f.trigger &&
          last.run_id.empty() && !buffered_record(last)) {
        ++last.count;
        last.last_logical_time = f.logical_time;
        return;
      }
    }
    plan_.records.push_back(std::move(f));
  }

  // A fire that is to run, through the overlap policy.
  // Whether max_active_runs runs are active, counting those this plan starts.
  bool Busy() const {
    return s_.active_runs.size() + started_count_ >= static_cast<size_t>(std::max(1, s_.max_active_runs));
  }

  void Offer(Fire f, OverlapPolicy overlap, std::string reason) {
    const bool busy = Busy();
    if (!busy || overlap == OverlapPolicy::kAllowAll) return Start(std::move(f), std::move(reason));
    const std::string policy = "(overlap " + std::string(Name(overlap)) + ")";
    const std::string active = s_.active_runs.empty() ? "the run started just before" : RunList(s_.active_runs);
    switch (overlap) {
      case OverlapPolicy::kSkip:
        return NotRun(std::move(f), FireOutcome::kSkipped, "the previous run (" + active + ") was still active " + policy);
      case OverlapPolicy::kBufferAll:
        return Buffer(std::move(f), "waiting for the previous run (" + active + ") to end " + policy);
      case OverlapPolicy::kBufferOne:
        ReplaceBuffered(f, policy);
        return Buffer(std::move(f), "waiting for the previous run (" + active + ") to end " + policy);
      case OverlapPolicy::kCancelOther:
        ReplaceBuffered(f, policy);
        if (!SupersedeStartedInPlan(f, policy)) {
          StopActive();
          return Buffer(std::move(f), "waiting for the cancelled run (" + active + ") to end " + policy);
        }
        return Start(std::move(f), std::move(reason));
      case OverlapPolicy::kTerminateOther:
        if (!SupersedeStartedInPlan(f, policy)) {
          StopActive();
          reason = "terminated the previous run (" + active + ") " + policy;
        }
        return Start(std::move(f), std::move(reason));
      case OverlapPolicy::kAllowAll:
        break;
    }
  }

  void Start(Fire f, std::string reason) {
    f.outcome = FireOutcome::kStarted;
    f.reason = std::move(reason);
    started_in_plan_ = plan_.records.size();
    ++started_count_;
    plan_.records.push_back(std::move(f));
  }

  FirePlan Take() { return std::move(plan_); }

 private:
  static constexpr size_t kNone = static_cast<size_t>(-1);

  static bool buffered_record(const Fire& f) { return f.outcome == FireOutcome::kBuffered; }

  void Buffer(Fire f, std::string reason) {
    s_.buffered.push_back({f.logical_time, f.trigger});
    f.outcome = FireOutcome::kBuffered;
    f.reason = std::move(reason);
    plan_.records.push_back(std::move(f));
  }

  // buffer_one and cancel_other hold one fire at most: a newer one replaces it. The replaced
  // fire's record (kBuffered, made now or by an earlier plan) is rewritten under its own key.
  void ReplaceBuffered(const Fire& newer, const std::string& policy) {
    const std::string reason = "replaced by the newer fire of " + When(newer.logical_time) + " " + policy;
    for (const BufferedFire& old : s_.buffered) {
      auto in_plan = std::find_if(plan_.records.begin(), plan_.records.end(), [&](const Fire& r) {
        return r.logical_time == old.logical_time && r.trigger == old.trigger && buffered_record(r);
      });
      if (in_plan != plan_.records.end()) {
        in_plan->outcome = FireOutcome::kMerged;
        in_plan->reason = reason;
        continue;
      }
      Fire merged = Make(old.logical_time, old.trigger);
      merged.outcome = FireOutcome::kMerged;
      merged.reason = reason;
      plan_.records.push_back(std::move(merged));
    }
    s_.buffered.clear();
  }

  // A run this plan was about to start and a newer fire would cancel at once is not started.
  bool SupersedeStartedInPlan(const Fire& newer, const std::string& policy) {
    if (started_in_plan_ == kNone || !s_.active_runs.empty()) return false;
    Fire& older = plan_.records[started_in_plan_];
    older.outcome = FireOutcome::kMerged;
    older.reason = "superseded by the newer fire of " + When(newer.logical_time) + " " + policy;
    started_in_plan_ = kNone;
    --started_count_;
    return true;
  }

  void StopActive() {
    for (const std::string& id : s_.active_runs) {
      if (std::find(plan_.terminate_runs.begin(), plan_.terminate_runs.end(), id) ==
          plan_.terminate_runs.end()) {
        plan_.terminate_runs.push_back(id);
      }
    }
  }

  Schedule& s_;
  const schedule::Zone& zone_;
  TimeMs now_;
  FirePlan plan_;
  size_t started_in_plan_ = kNone;  // the last fire this plan starts
  size_t started_count_ = 0;
};

// The scheduled logical times after `after`, within StartDate and EndDate.
std::optional<TimeMs> NextAfter(const Schedule& s, const schedule::Timetable& timetable, TimeMs after) {
  if (s.start_date) after = std::max(after, *s.start_date - 1);
  std::optional<TimeMs> next = timetable.Next(after);
  if (next && s.end_date && *next > *s.end_date) return std::nullopt;
  return next;
}

uint64_t Mix(uint64_t x) {  // splitmix64's finaliser
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

TimeMs JitterMs(const Schedule& schedule, TimeMs logical_time) {
  if (schedule.flexible_window_minutes <= 0) return 0;
  uint64_t h = 1469598103934665603ULL;  // FNV-1a of the key: stable across restarts and builds
  for (unsigned char c : ScheduleKey(schedule)) h = (h ^ c) * 1099511628211ULL;
  const uint64_t window_ms = static_cast<uint64_t>(schedule.flexible_window_minutes) * 60'000;
  return static_cast<TimeMs>(Mix(h ^ static_cast<uint64_t>(logical_time)) % window_ms);
}

TimeMs DueTime(const Schedule& schedule, TimeMs logical_time) {
  return logical_time + JitterMs(schedule, logical_time);
}

std::optional<TimeMs> NextLogicalTime(const Schedule& schedule, const schedule::Timetable& timetable) {
  return NextAfter(schedule, timetable, schedule.cursor);
}

std::optional<TimeMs> NextDue(const Schedule& schedule, const schedule::Timetable& timetable) {
  if (schedule.state != ScheduleState::kEnabled) return std::nullopt;
  std::optional<TimeMs> next = NextLogicalTime(schedule, timetable);
  if (!next) return std::nullopt;
  return DueTime(schedule, *next);
}

FirePlan PlanDue(Schedule& s, const schedule::Timetable& timetable, TimeMs now) {
  if (s.state != ScheduleState::kEnabled) return {};
  std::vector<TimeMs> due;
  for (std::optional<TimeMs> t = NextAfter(s, timetable, s.cursor); t && DueTime(s, *t) <= now;
       t = NextAfter(s, timetable, *t)) {
    due.push_back(*t);
  }
  if (due.empty()) return {};
  s.cursor = due.back();

  auto missed = [&](TimeMs t) { return now - DueTime(s, t) > kOnTimeGraceMs; };
  auto in_window = [&](TimeMs t) { return now - DueTime(s, t) <= s.catch_up_window_ms; };
  const std::string policy = "(catch-up " + std::string(Name(s.catch_up)) + ")";
  const std::string too_old = "missed, and older than the catch-up window of " +
                              Duration(s.catch_up_window_ms) + " " + policy;
  // Under `latest`, every missed fire folds into one that runs: the first on-time fire if there
  // is one, else the last missed fire still within the window.
  std::optional<TimeMs> latest;
  if (s.catch_up == CatchUpPolicy::kLatest) {
    for (TimeMs t : due) {
      if (!missed(t)) {
        latest = t;
        break;
      }
      if (in_window(t)) latest = t;
    }
  }
  Planner planner(s, timetable.zone(), now);
  const std::string merged_into = latest ? "merged into the fire of " + planner.When(*latest) + " " + policy : "";

  for (TimeMs t : due) {
    Fire f = planner.Make(t, FireTrigger::kSchedule);
    if (!missed(t)) {
      planner.Offer(std::move(f), s.overlap, "");
      continue;
    }
    const std::string late = "caught up " + Duration(now - f.due_time) + " late " + policy;
    switch (s.catch_up) {
      case CatchUpPolicy::kNone:
        planner.NotRun(std::move(f), FireOutcome::kSkipped,
                       "missed: nightshift reached it more than " + Duration(kOnTimeGraceMs) + " late " + policy);
        break;
      case CatchUpPolicy::kAll:
        if (in_window(t)) {
          planner.Offer(std::move(f), s.overlap, late);
        } else {
          planner.NotRun(std::move(f), FireOutcome::kSkipped, too_old);
        }
        break;
      case CatchUpPolicy::kLatest:
        if (latest && t == *latest) {
          planner.Offer(std::move(f), s.overlap, late);
        } else if (!in_window(t)) {
          planner.NotRun(std::move(f), FireOutcome::kSkipped, too_old);
        } else {
          planner.NotRun(std::move(f), FireOutcome::kMerged, merged_into);
        }
        break;
    }
  }
  return planner.Take();
}

FirePlan StartBuffered(Schedule& s, const schedule::Timetable& timetable, TimeMs now) {
  Planner planner(s, timetable.zone(), now);
  while (s.state == ScheduleState::kEnabled && !s.buffered.empty() && !planner.Busy()) {
    const BufferedFire next = s.buffered.front();
    s.buffered.erase(s.buffered.begin());
    planner.Start(planner.Make(next.logical_time, next.trigger),
                  "started when a previous run ended (overlap " + std::string(Name(s.overlap)) + ")");
  }
  return planner.Take();
}

FirePlan Trigger(Schedule& s, const schedule::Timetable& timetable, TimeMs logical_time, FireTrigger trigger,
                 OverlapPolicy overlap, TimeMs now) {
  Planner planner(s, timetable.zone(), now);
  planner.Offer(planner.Make(logical_time, trigger), overlap, "");
  return planner.Take();
}

FirePlan Backfill(Schedule& s, const schedule::Timetable& timetable, TimeMs from, TimeMs to,
                  OverlapPolicy overlap, TimeMs now, const std::function<bool(TimeMs)>& already_fired) {
  Planner planner(s, timetable.zone(), now);
  for (std::optional<TimeMs> t = timetable.Next(from - 1); t && *t <= to; t = timetable.Next(*t)) {
    if (!already_fired(*t)) planner.Offer(planner.Make(*t, FireTrigger::kBackfill), overlap, "backfill");
  }
  return planner.Take();
}

void Pause(Schedule& s, std::string note, TimeMs now) {
  s.state = ScheduleState::kDisabled;
  s.state_note = std::move(note);
  s.modified_at = now;
}

FirePlan Resume(Schedule& s, const schedule::Timetable& timetable, std::string note, TimeMs now) {
  Planner planner(s, timetable.zone(), now);
  if (s.state == ScheduleState::kDisabled) {
    const std::string reason =
        "the schedule was paused" + (s.state_note.empty() ? std::string() : " (" + s.state_note + ")");
    for (std::optional<TimeMs> t = NextAfter(s, timetable, s.cursor); t && *t <= now;
         t = NextAfter(s, timetable, *t)) {
      planner.NotRun(planner.Make(*t, FireTrigger::kSchedule), FireOutcome::kSkipped, reason);
    }
    s.cursor = std::max(s.cursor, now);
  }
  s.state = ScheduleState::kEnabled;
  s.state_note = std::move(note);
  s.modified_at = now;
  FirePlan plan = planner.Take();
  FirePlan buffered = StartBuffered(s, timetable, now);
  for (Fire& f : buffered.records) plan.records.push_back(std::move(f));
  return plan;
}

bool Completed(const Schedule& s, const schedule::Timetable& timetable) {
  return s.buffered.empty() && !NextLogicalTime(s, timetable);
}

}  // namespace nightshift::core
