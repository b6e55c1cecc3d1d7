#include "store/schedule_codec.h"

#include <array>

#include "store/wire_format.h"

namespace nightshift::store {
namespace {

using core::AfterCompletion;
using core::CatchUpPolicy;
using core::FireOutcome;
using core::FireTrigger;
using core::OverlapPolicy;
using core::ScheduleState;
using schedule::GapPolicy;
using schedule::RepeatPolicy;
using wire::Reader;
using wire::Writer;

// Wire values of enums: positions in these tables. Append only.
constexpr std::array kScheduleStates = {ScheduleState::kEnabled, ScheduleState::kDisabled};
constexpr std::array kGapPolicies = {GapPolicy::kShift, GapPolicy::kSkip};
constexpr std::array kRepeatPolicies = {RepeatPolicy::kFirst, RepeatPolicy::kLast,
                                        RepeatPolicy::kBoth};
constexpr std::array kOverlapPolicies = {
    OverlapPolicy::kSkip,        OverlapPolicy::kBufferOne,      OverlapPolicy::kBufferAll,
    OverlapPolicy::kCancelOther, OverlapPolicy::kTerminateOther, OverlapPolicy::kAllowAll};
constexpr std::array kCatchUpPolicies = {CatchUpPolicy::kNone, CatchUpPolicy::kLatest,
                                         CatchUpPolicy::kAll};
constexpr std::array kAfterCompletions = {AfterCompletion::kNone, AfterCompletion::kDelete};
// Also the values of the fires table's `trigger` column, part of its primary key.
constexpr std::array kFireTriggers = {FireTrigger::kSchedule, FireTrigger::kManual,
                                      FireTrigger::kBackfill};
constexpr std::array kFireOutcomes = {FireOutcome::kStarted, FireOutcome::kSkipped,
                                      FireOutcome::kMerged, FireOutcome::kBuffered,
                                      FireOutcome::kFailed};

// Field numbers. Never renumber or reuse one; retire a field by leaving its number unused.
// Every scalar is always written: several have non-empty or non-zero defaults ("default",
// "UTC", kLatest, a 7-day window), and a decoder starting from those must not mistake an
// absent empty value for them.
namespace schedule_field {
// What the client defined.
constexpr int kGroup = 1, kName = 2, kArn = 3, kDescription = 4, kExpression = 5, kTimezone = 6,
              kDstGap = 7, kDstRepeat = 8, kState = 9, kStateNote = 10;
constexpr int kStartDate = 11, kEndDate = 12;  // absent = no date
constexpr int kFlexibleWindowMinutes = 13, kOverlap = 14, kCatchUp = 15, kCatchUpWindowMs = 16,
              kAfterCompletion = 17;
constexpr int kTarget = 18;  // {see target_field}
constexpr int kKmsKeyArn = 19, kCreatedAt = 20, kModifiedAt = 21;
constexpr int kTags = 22;  // string map
// Progress, kept by the engine.
constexpr int kAnchor = 23, kCursor = 24;
constexpr int kActiveRun = 25;  // repeated, in order
constexpr int kBuffered = 26;   // repeated, in order: {see buffered_field}
constexpr int kMaxActiveRuns = 27;
}  // namespace schedule_field

namespace buffered_field {
constexpr int kLogicalTime = 1, kTrigger = 2;
}  // namespace buffered_field

namespace target_field {
constexpr int kArn = 1, kRoleArn = 2, kInput = 3, kExtraJson = 4;
}  // namespace target_field

// The key (schedule, logical_time, trigger) is in the fires table's columns, not here.
namespace fire_field {
constexpr int kDueTime = 1, kDecidedAt = 2, kOutcome = 3, kReason = 4, kRunId = 5, kCount = 6,
              kLastLogicalTime = 7;
}  // namespace fire_field

void PutOptionalTime(Writer& w, int field, const std::optional<TimeMs>& time) {
  if (time) w.Int(field, *time);
}

void PutTarget(Writer& w, const core::ScheduleTarget& target) {
  size_t mark = w.BeginNested(schedule_field::kTarget);
  w.Bytes(target_field::kArn, target.arn);
  w.Bytes(target_field::kRoleArn, target.role_arn);
  w.Bytes(target_field::kInput, target.input);
  w.Bytes(target_field::kExtraJson, target.extra_json);
  w.EndNested(mark);
}

void PutBufferedFire(Writer& w, const core::BufferedFire& fire) {
  size_t mark = w.BeginNested(schedule_field::kBuffered);
  w.Int(buffered_field::kLogicalTime, fire.logical_time);
  w.Uint(buffered_field::kTrigger, wire::EnumToWire(kFireTriggers, fire.trigger));
  w.EndNested(mark);
}

core::BufferedFire ReadBufferedFire(Reader& r) {
  core::BufferedFire fire;
  wire::ReadNested(r, [&](Reader& f) {
    if (f.field() == buffered_field::kLogicalTime) fire.logical_time = f.Int();
    if (f.field() == buffered_field::kTrigger) {
      fire.trigger = wire::ReadEnum(f, kFireTriggers, "FireTrigger");
    }
  });
  return fire;
}

core::ScheduleTarget ReadTarget(Reader& r) {
  core::ScheduleTarget target;
  wire::ReadNested(r, [&](Reader& f) {
    switch (f.field()) {
      case target_field::kArn:
        target.arn = f.String();
        break;
      case target_field::kRoleArn:
        target.role_arn = f.String();
        break;
      case target_field::kInput:
        target.input = f.String();
        break;
      case target_field::kExtraJson:
        target.extra_json = f.String();
        break;
    }
  });
  return target;
}

void PutDefinition(Writer& w, const core::Schedule& s) {
  using namespace schedule_field;  // NOLINT: field-number constants only
  w.Bytes(kGroup, s.group);
  w.Bytes(kName, s.name);
  w.Bytes(kArn, s.arn);
  w.Bytes(kDescription, s.description);
  w.Bytes(kExpression, s.expression);
  w.Bytes(kTimezone, s.timezone);
  w.Uint(kDstGap, wire::EnumToWire(kGapPolicies, s.dst.gap));
  w.Uint(kDstRepeat, wire::EnumToWire(kRepeatPolicies, s.dst.repeat));
  w.Uint(kState, wire::EnumToWire(kScheduleStates, s.state));
  w.Bytes(kStateNote, s.state_note);
  PutOptionalTime(w, kStartDate, s.start_date);
  PutOptionalTime(w, kEndDate, s.end_date);
}

void PutPoliciesAndTarget(Writer& w, const core::Schedule& s) {
  using namespace schedule_field;  // NOLINT: field-number constants only
  w.Int(kFlexibleWindowMinutes, s.flexible_window_minutes);
  w.Uint(kOverlap, wire::EnumToWire(kOverlapPolicies, s.overlap));
  w.Uint(kCatchUp, wire::EnumToWire(kCatchUpPolicies, s.catch_up));
  w.Int(kCatchUpWindowMs, s.catch_up_window_ms);
  w.Int(kMaxActiveRuns, s.max_active_runs);
  w.Uint(kAfterCompletion, wire::EnumToWire(kAfterCompletions, s.after_completion));
  PutTarget(w, s.target);
  w.Bytes(kKmsKeyArn, s.kms_key_arn);
  w.Int(kCreatedAt, s.created_at);
  w.Int(kModifiedAt, s.modified_at);
  wire::WriteStringMap(w, kTags, s.tags);
}

void PutProgress(Writer& w, const core::Schedule& s) {
  using namespace schedule_field;  // NOLINT: field-number constants only
  w.Int(kAnchor, s.anchor);
  w.Int(kCursor, s.cursor);
  for (const std::string& run : s.active_runs) w.Bytes(kActiveRun, run);
  for (const core::BufferedFire& fire : s.buffered) PutBufferedFire(w, fire);
}

// Each Read*Field reads the fields of its group and returns false for any other field.
bool ReadDefinitionField(Reader& f, core::Schedule& s) {
  using namespace schedule_field;  // NOLINT: field-number constants only
  switch (f.field()) {
    case kGroup:
      s.group = f.String();
      return true;
    case kName:
      s.name = f.String();
      return true;
    case kArn:
      s.arn = f.String();
      return true;
    case kDescription:
      s.description = f.String();
      return true;
    case kExpression:
      s.expression = f.String();
      return true;
    case kTimezone:
      s.timezone = f.String();
      return true;
    case kStateNote:
      s.state_note = f.String();
      return true;
    case kStartDate:
      s.start_date = f.Int();
      return true;
    case kEndDate:
      s.end_date = f.Int();
      return true;
  }
  return false;
}

bool ReadEnumField(Reader& f, core::Schedule& s) {
  using namespace schedule_field;  // NOLINT: field-number constants only
  switch (f.field()) {
    case kDstGap:
      s.dst.gap = wire::ReadEnum(f, kGapPolicies, "GapPolicy");
      return true;
    case kDstRepeat:
      s.dst.repeat = wire::ReadEnum(f, kRepeatPolicies, "RepeatPolicy");
      return true;
    case kState:
      s.state = wire::ReadEnum(f, kScheduleStates, "ScheduleState");
      return true;
    case kOverlap:
      s.overlap = wire::ReadEnum(f, kOverlapPolicies, "OverlapPolicy");
      return true;
    case kCatchUp:
      s.catch_up = wire::ReadEnum(f, kCatchUpPolicies, "CatchUpPolicy");
      return true;
    case kAfterCompletion:
      s.after_completion = wire::ReadEnum(f, kAfterCompletions, "AfterCompletion");
      return true;
  }
  return false;
}

bool ReadPolicyAndTargetField(Reader& f, core::Schedule& s) {
  using namespace schedule_field;  // NOLINT: field-number constants only
  switch (f.field()) {
    case kFlexibleWindowMinutes:
      s.flexible_window_minutes = static_cast<int>(f.Int());
      return true;
    case kCatchUpWindowMs:
      s.catch_up_window_ms = f.Int();
      return true;
    case kMaxActiveRuns:
      s.max_active_runs = static_cast<int>(f.Int());
      return true;
    case kTarget:
      s.target = ReadTarget(f);
      return true;
    case kKmsKeyArn:
      s.kms_key_arn = f.String();
      return true;
    case kCreatedAt:
      s.created_at = f.Int();
      return true;
    case kModifiedAt:
      s.modified_at = f.Int();
      return true;
    case kTags:
      wire::ReadStringMapEntry(f, s.tags);
      return true;
  }
  return false;
}

bool ReadProgressField(Reader& f, core::Schedule& s) {
  using namespace schedule_field;  // NOLINT: field-number constants only
  switch (f.field()) {
    case kAnchor:
      s.anchor = f.Int();
      return true;
    case kCursor:
      s.cursor = f.Int();
      return true;
    case kActiveRun:
      s.active_runs.push_back(f.String());
      return true;
    case kBuffered:
      s.buffered.push_back(ReadBufferedFire(f));
      return true;
  }
  return false;
}

// Unknown fields (written by a newer nightshift) are skipped.
void ReadScheduleField(Reader& f, core::Schedule& s) {
  ReadDefinitionField(f, s) || ReadEnumField(f, s) || ReadPolicyAndTargetField(f, s) ||
      ReadProgressField(f, s);
}

void ReadFireField(Reader& f, core::Fire& fire) {
  using namespace fire_field;  // NOLINT: field-number constants only
  switch (f.field()) {
    case kDueTime:
      fire.due_time = f.Int();
      break;
    case kDecidedAt:
      fire.decided_at = f.Int();
      break;
    case kOutcome:
      fire.outcome = wire::ReadEnum(f, kFireOutcomes, "FireOutcome");
      break;
    case kReason:
      fire.reason = f.String();
      break;
    case kRunId:
      fire.run_id = f.String();
      break;
    case kCount:
      fire.count = f.Int();
      break;
    case kLastLogicalTime:
      fire.last_logical_time = f.Int();
      break;
  }
}

}  // namespace

std::string EncodeSchedule(const core::Schedule& schedule) {
  std::string out;
  Writer w(out);
  PutDefinition(w, schedule);
  PutPoliciesAndTarget(w, schedule);
  PutProgress(w, schedule);
  return out;
}

Result<core::Schedule> DecodeSchedule(std::string_view doc) {
  core::Schedule schedule;
  Reader r(doc);
  while (r.Next()) ReadScheduleField(r, schedule);
  if (!r.status().ok()) return Status::Internal("schedule: " + r.status().message());
  return schedule;
}

std::string EncodeFire(const core::Fire& fire) {
  using namespace fire_field;  // NOLINT: field-number constants only
  std::string out;
  Writer w(out);
  w.Int(kDueTime, fire.due_time);
  w.Int(kDecidedAt, fire.decided_at);
  w.Uint(kOutcome, wire::EnumToWire(kFireOutcomes, fire.outcome));
  w.Bytes(kReason, fire.reason);
  w.Bytes(kRunId, fire.run_id);
  w.Int(kCount, fire.count);
  w.Int(kLastLogicalTime, fire.last_logical_time);
  return out;
}

Result<core::Fire> DecodeFire(std::string_view doc, core::Fire key) {
  Reader r(doc);
  while (r.Next()) ReadFireField(r, key);
  if (r.status().ok()) return key;
  return Status::Internal("fire " + key.schedule + " at " + std::to_string(key.logical_time) +
                          ": " + r.status().message());
}

int64_t FireTriggerToWire(core::FireTrigger trigger) {
  return static_cast<int64_t>(wire::EnumToWire(kFireTriggers, trigger));
}

std::optional<core::FireTrigger> FireTriggerFromWire(int64_t wire) {
  if (wire < 0) return std::nullopt;
  return wire::EnumFromWire(kFireTriggers, static_cast<uint64_t>(wire));
}

}  // namespace nightshift::store
