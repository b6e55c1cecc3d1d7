// Schedule expressions and the fire times they produce in a time zone. Pure code: nothing here
// reads a clock; every time comes in as an argument. Times are milliseconds since the Unix epoch
// (util/clock.h's TimeMs), fires fall on whole seconds.
//
// Flavours (Expression::Parse):
//   "m h dom mon dow"          Unix cron, Vixie semantics (names, 0 and 7 = Sunday, lists,
//                              ranges, steps; day-of-month OR day-of-week when both restricted;
//                              a field is unrestricted when it names every value, as in
//                              croniter 1.3.5, so "*/2" is restricted where Vixie says not)
//   "@daily" ...               @yearly @annually @monthly @weekly @daily @midnight @hourly
//   "cron(m h dom mon dow y)"  AWS: one of dom/dow is '?', 1 = Sunday, L W # LW, years
//   "rate(5 minutes)"          fixed elapsed intervals from the schedule's start
//   "at(2026-03-29T02:30:00)"  once, a local time in the schedule's zone
//
// Daylight saving (DstPolicy): a fire whose local time does not exist (spring forward) is shifted
// to the first instant after the gap or skipped; a local time that occurs twice (fall back) fires
// at the first occurrence, the last, or both. Expressions whose hour field is '*' or a step follow
// elapsed time instead: nonexistent local times are skipped and repeated ones fire twice, so every
// real hour fires exactly once. Fires come out strictly increasing; local times shifted onto the
// same instant fire once.
//
// Searches look 400 years ahead or back (the Gregorian calendar's period) and stay within years
// 1-9999. Thread-safety: all types are immutable values; share them freely across threads.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "util/clock.h"
#include "util/status.h"

namespace nightshift::schedule {

enum class GapPolicy { kShift, kSkip };
enum class RepeatPolicy { kFirst, kLast, kBoth };

struct DstPolicy {
  GapPolicy gap = GapPolicy::kShift;
  RepeatPolicy repeat = RepeatPolicy::kFirst;
};

// "shift"/"skip", "first"/"last"/"both"; kInvalidArgument naming the accepted values.
Result<GapPolicy> ParseGapPolicy(std::string_view text);
Result<RepeatPolicy> ParseRepeatPolicy(std::string_view text);
std::string_view Name(GapPolicy policy);
std::string_view Name(RepeatPolicy policy);

enum class ExpressionKind { kCron, kAwsCron, kRate, kAt };

class Expression {
 public:
  // Errors: kInvalidArgument with a message that names the field and the 1-based column of the
  // offending text, e.g. "day-of-month '32' at column 7: must be 1-31".
  static Result<Expression> Parse(std::string_view text);

  ExpressionKind kind() const;
  const std::string& text() const;
  // The hour field is '*' or a step (cron flavours), or the expression is a rate().
  bool follows_elapsed_time() const;

  Expression(const Expression&);
  Expression& operator=(const Expression&);
  Expression(Expression&&) noexcept;
  Expression& operator=(Expression&&) noexcept;
  ~Expression();

 private:
  struct Rep;
  explicit Expression(std::unique_ptr<Rep> rep);
  std::unique_ptr<Rep> rep_;
  friend class Timetable;
};

// An IANA time zone from the system's tz database. Cheap to copy. Beyond the last transition
// listed in the zone file (Debian's files stop at 2037), the POSIX rule in the file's footer
// takes over. Immutable; thread-safe.
class Zone {
 public:
  // Reads a zone the first time it is asked for; later calls (from any thread) return a copy
  // sharing that first representation, so the tz database is read once per process.
  // Errors: kInvalidArgument "unknown time zone 'X'".
  static Result<Zone> Load(std::string_view name);
  static Zone Utc();

  const std::string& name() const;
  // UTC offset in seconds in effect at `t`.
  int OffsetAt(TimeMs t) const;

 private:
  struct Rep;
  std::shared_ptr<const Rep> rep_;
  friend class Timetable;
};

// "2026-03-29T03:00:00+02:00": RFC 3339 with seconds and the zone's offset at `t`.
std::string FormatRfc3339(TimeMs t, const Zone& zone);
// "2026-03-29T01:00:00Z": FormatRfc3339 in UTC, how the API and the event log write times.
std::string FormatUtc(TimeMs t);
// Accepts RFC 3339 ("2026-03-29T03:00:00Z", "...+02:00", optional fraction).
Result<TimeMs> ParseRfc3339(std::string_view text);

// The fire times of one expression in one zone.
class Timetable {
 public:
  // `start` anchors rate() expressions (fires at start + k * interval, k >= 0, with start
  // rounded up to a whole second); other flavours ignore it.
  // Errors: kInvalidArgument "expression 'X' never fires" when no fire exists at or after `start`
  // within the searchable range (e.g. "0 0 30 2 *", an at() that is nonexistent under
  // GapPolicy::kSkip).
  static Result<Timetable> Create(Expression expression, Zone zone, DstPolicy dst, TimeMs start);

  // The first fire strictly after `after`, or nothing if there is none (at() already passed,
  // the year range of an AWS expression ended).
  std::optional<TimeMs> Next(TimeMs after) const;
  // The last fire strictly before `before`, or nothing.
  std::optional<TimeMs> Previous(TimeMs before) const;

  const Expression& expression() const { return expression_; }
  const Zone& zone() const { return zone_; }
  DstPolicy dst() const { return dst_; }

 private:
  Timetable(Expression expression, Zone zone, DstPolicy dst, TimeMs start);
  Expression expression_;
  Zone zone_;
  DstPolicy dst_;
  TimeMs start_;
};

}  // namespace nightshift::schedule
