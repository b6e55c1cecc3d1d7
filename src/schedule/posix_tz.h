// A POSIX TZ rule as found in the footer of a TZif file (RFC 8536 section 3.3), e.g.
// "CET-1CEST,M3.5.0,M10.5.0/3": how a zone's offset continues after the last transition the file
// lists. Debian's zone files list transitions only until 2037; the rule covers the years after.
// Plain value, thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace nightshift::schedule {

class PosixTz {
 public:
  // The day a DST period starts or ends: "Jn" (1-365, February 29 never counted), "n" (0-365,
  // counting February 29) or "Mm.w.d" (weekday d of week w of month m; w = 5 means the last).
  struct RuleDate {
    enum class Form { kJulian, kZeroBased, kMonthWeekDay };
    Form form = Form::kMonthWeekDay;
    int day_or_month = 0;
    int week = 0;
    int weekday = 0;
    int time = 7200;  // seconds after local midnight; RFC 8536 allows -167h to +167h
  };

  struct Transition {
    int64_t at;  // seconds since the epoch
    int offset;  // seconds east of UTC from `at` on
  };

  // Nothing when `text` is not a rule this parser understands (including DST without dates,
  // whose meaning POSIX leaves to the implementation).
  static std::optional<PosixTz> Parse(std::string_view text);

  int std_offset() const { return std_offset_; }
  bool has_dst() const { return has_dst_; }
  // The two transitions in `year` (DST start and end, in order of time). Requires has_dst().
  std::array<Transition, 2> TransitionsIn(int64_t year) const;

 private:
  int64_t DayOf(const RuleDate& date, int64_t year) const;

  int std_offset_ = 0;
  int dst_offset_ = 0;
  bool has_dst_ = false;
  RuleDate start_;
  RuleDate end_;
};

}  // namespace nightshift::schedule
