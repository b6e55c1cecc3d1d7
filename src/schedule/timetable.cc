// Timetable: maps the local wall times an expression names to instants through a zone, under a
// DST policy. Cron and at() patterns are searched in local time; the zone's offset intervals are
// walked in order of time, so fires come out strictly increasing without sorting.
#include "schedule/timetable.h"

#include "schedule/civil.h"
#include "schedule/expression_rep.h"
#include "schedule/zone_rep.h"

namespace nightshift::schedule {
namespace {

// The walk gives up this far from where it started, like CronSpec's own search.
constexpr int64_t kSearchSeconds = int64_t{CronSpec::kSearchYears} * 366 * civil::kSecondsPerDay;

// The fires of a local-time pattern (CronSpec or AtSpec) in a zone, under a DST policy.
template <typename Pattern>
class LocalSchedule {
 public:
  LocalSchedule(const Pattern& pattern, const ZoneRules& rules, DstPolicy dst, bool elapsed)
      : pattern_(pattern), rules_(rules), dst_(dst), elapsed_(elapsed) {}

  // The first fire strictly after second `t`.
  std::optional<int64_t> NextAfter(int64_t t) const;
  // The last fire at or before second `t`.
  std::optional<int64_t> LastAtOrBefore(int64_t t) const;

 private:
  // Local times in a gap move to the gap's end, unless the policy (or elapsed time) skips them.
  bool ShiftsGaps() const { return !elapsed_ && dst_.gap == GapPolicy::kShift; }
  bool HasLocalIn(int64_t from, int64_t to) const {
    return pattern_.Next(from - 1, to - 1).has_value();
  }
  bool Fires(int64_t local, const OffsetInterval& iv) const;

  const Pattern& pattern_;
  const ZoneRules& rules_;
  DstPolicy dst_;
  bool elapsed_;
};

// `local` occurs in `iv`. When the clock fell back around it, it also occurs in a neighbour:
// the policy picks which occurrences fire.
template <typename Pattern>
bool LocalSchedule<Pattern>::Fires(int64_t local, const OffsetInterval& iv) const {
  if (elapsed_) return true;
  switch (dst_.repeat) {
    case RepeatPolicy::kFirst:  // not if it already occurred before `iv` began
      return !(iv.prev_offset > iv.offset && local - iv.prev_offset < iv.begin);
    case RepeatPolicy::kLast:  // not if it occurs again after `iv` ends
      return !(iv.next_offset < iv.offset && local - iv.next_offset >= iv.end);
    case RepeatPolicy::kBoth:
      return true;
  }
  return true;
}

// Within one interval local time runs parallel to UTC, so its matches come in order, and the
// search for them stops at the interval's end; at that end a gap may add one fire at the
// transition. Every interval is visited in turn, so no repeated or skipped local time is missed.
template <typename Pattern>
std::optional<int64_t> LocalSchedule<Pattern>::NextAfter(int64_t t) const {
  const int64_t limit = t + kSearchSeconds;
  OffsetInterval iv = rules_.Lookup(t);
  for (int64_t x = t;; x = iv.end - 1, iv = rules_.Lookup(iv.end)) {  // fires come after x
    const int64_t last_local = iv.end - 1 + iv.offset;
    for (auto local = pattern_.Next(x + iv.offset, last_local); local;
         local = pattern_.Next(*local, last_local)) {
      if (Fires(*local, iv)) return *local - iv.offset;
    }
    if (ShiftsGaps() && iv.next_offset > iv.offset &&
        HasLocalIn(iv.end + iv.offset, iv.end + iv.next_offset)) {
      return iv.end;
    }
    if (iv.end > limit) return std::nullopt;
  }
}

// The mirror image of NextAfter; a gap's fire at an interval's first instant comes after (in
// this backward order) the interval's own matches.
template <typename Pattern>
std::optional<int64_t> LocalSchedule<Pattern>::LastAtOrBefore(int64_t t) const {
  const int64_t limit = t - kSearchSeconds;
  OffsetInterval iv = rules_.Lookup(t);
  for (int64_t x = t;; x = iv.begin - 1, iv = rules_.Lookup(iv.begin - 1)) {  // fires are <= x
    const int64_t first_local = iv.begin + iv.offset;
    for (auto local = pattern_.Previous(x + iv.offset + 1, first_local); local;
         local = pattern_.Previous(*local, first_local)) {
      if (Fires(*local, iv)) return *local - iv.offset;
    }
    if (ShiftsGaps() && iv.prev_offset < iv.offset &&
        HasLocalIn(iv.begin + iv.prev_offset, iv.begin + iv.offset)) {
      return iv.begin;
    }
    if (iv.begin < limit) return std::nullopt;
  }
}

template <typename Pattern>
std::optional<int64_t> NextAfter(const Pattern& pattern, const ZoneRules& rules, DstPolicy dst,
                                 bool elapsed, int64_t t) {
  return LocalSchedule<Pattern>(pattern, rules, dst, elapsed).NextAfter(t);
}

template <typename Pattern>
std::optional<int64_t> LastAtOrBefore(const Pattern& pattern, const ZoneRules& rules, DstPolicy dst,
                                      bool elapsed, int64_t t) {
  return LocalSchedule<Pattern>(pattern, rules, dst, elapsed).LastAtOrBefore(t);
}

std::optional<TimeMs> ToMs(std::optional<int64_t> seconds) {
  if (!seconds || *seconds < civil::kMinSeconds || *seconds > civil::kMaxSeconds) {
    return std::nullopt;
  }
  return *seconds * 1000;
}

}  // namespace

Result<GapPolicy> ParseGapPolicy(std::string_view text) {
  if (text == "shift") return GapPolicy::kShift;
  if (text == "skip") return GapPolicy::kSkip;
  return Status::InvalidArgument("DST gap policy '" + std::string(text) +
                                 "': must be shift or skip");
}

Result<RepeatPolicy> ParseRepeatPolicy(std::string_view text) {
  if (text == "first") return RepeatPolicy::kFirst;
  if (text == "last") return RepeatPolicy::kLast;
  if (text == "both") return RepeatPolicy::kBoth;
  return Status::InvalidArgument("DST repeat policy '" + std::string(text) +
                                 "': must be first, last or both");
}

std::string_view Name(GapPolicy policy) { return policy == GapPolicy::kShift ? "shift" : "skip"; }

std::string_view Name(RepeatPolicy policy) {
  switch (policy) {
    case RepeatPolicy::kFirst:
      return "first";
    case RepeatPolicy::kLast:
      return "last";
    case RepeatPolicy::kBoth:
      return "both";
  }
  return "first";
}

Timetable::Timetable(Expression expression, Zone zone, DstPolicy dst, TimeMs start)
    : expression_(std::move(expression)), zone_(std::move(zone)), dst_(dst), start_(start) {}

Result<Timetable> Timetable::Create(Expression expression, Zone zone, DstPolicy dst, TimeMs start) {
  Timetable timetable(std::move(expression), std::move(zone), dst, start);
  const TimeMs just_before = start == INT64_MIN ? start : start - 1;
  if (!timetable.Next(just_before)) {
    return Status::InvalidArgument("expression '" + timetable.expression_.text() + "' never fires");
  }
  return timetable;
}

std::optional<TimeMs> Timetable::Next(TimeMs after) const {
  const int64_t t = std::max(civil::FloorDiv(after, 1000), civil::kMinSeconds - 1);
  if (t >= civil::kMaxSeconds) return std::nullopt;
  const ParsedExpression& rep = *expression_.rep_;
  const ZoneRules& rules = zone_.rep_->rules;
  if (const auto* rate = std::get_if<RateSpec>(&rep.spec)) {
    const int64_t anchor = civil::FloorDiv(start_ + 999, 1000);  // whole seconds, not before start
    if (t < anchor) return ToMs(anchor);
    return ToMs(anchor + ((t - anchor) / rate->seconds + 1) * rate->seconds);
  }
  if (const auto* cron = std::get_if<CronSpec>(&rep.spec)) {
    return ToMs(NextAfter(*cron, rules, dst_, rep.follows_elapsed_time, t));
  }
  return ToMs(NextAfter(std::get<AtSpec>(rep.spec), rules, dst_, false, t));
}

std::optional<TimeMs> Timetable::Previous(TimeMs before) const {
  if (before == INT64_MIN) return std::nullopt;
  const int64_t t = std::min(civil::FloorDiv(before - 1, 1000), civil::kMaxSeconds);
  if (t < civil::kMinSeconds) return std::nullopt;
  const ParsedExpression& rep = *expression_.rep_;
  const ZoneRules& rules = zone_.rep_->rules;
  if (const auto* rate = std::get_if<RateSpec>(&rep.spec)) {
    const int64_t anchor = civil::FloorDiv(start_ + 999, 1000);
    if (t < anchor) return std::nullopt;
    return ToMs(anchor + (t - anchor) / rate->seconds * rate->seconds);
  }
  if (const auto* cron = std::get_if<CronSpec>(&rep.spec)) {
    return ToMs(LastAtOrBefore(*cron, rules, dst_, rep.follows_elapsed_time, t));
  }
  return ToMs(LastAtOrBefore(std::get<AtSpec>(rep.spec), rules, dst_, false, t));
}

}  // namespace nightshift::schedule
