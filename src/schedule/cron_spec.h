// The local wall-clock minutes a cron expression names (Unix or AWS flavour), as one bitset per
// field, and the search for the next or previous such minute. The search jumps field by field
// (year, month, day, hour, minute), so its cost does not depend on how far away the answer is.
// Local times are seconds since the epoch as a UTC clock would read them. Plain value,
// thread-safe.
#pragma once

#include <array>
#include <bitset>
#include <cstdint>
#include <optional>

namespace nightshift::schedule {

struct CronSpec {
  static constexpr int kFirstAwsYear = 1970;
  static constexpr int kLastAwsYear = 2199;
  // How far Next/Previous look: the Gregorian calendar repeats every 400 years (146097 days, a
  // whole number of weeks), so a pattern with no match in 400 years has none at all.
  static constexpr int kSearchYears = 400;

  uint64_t minutes = 0;  // bit m, 0-59
  uint32_t hours = 0;    // bit h, 0-23
  uint16_t months = 0;   // bit m, 1-12

  // Day of month.
  uint32_t days = 0;             // bit d, 1-31
  bool last_day = false;         // AWS "L"
  bool last_weekday = false;     // AWS "LW": the last Monday-Friday of the month
  uint32_t nearest_weekday = 0;  // AWS "nW", bit n: the Monday-Friday nearest day n

  // Day of week (0 = Sunday).
  uint8_t weekdays = 0;                  // bit w
  uint8_t last_of_weekday = 0;           // AWS "nL", bit w: the month's last such weekday
  std::array<uint8_t, 5> nth_weekday{};  // AWS "n#k": [k - 1] bit w, the k-th such weekday

  // Unix, both day fields restricted: a day matches when either field matches. Otherwise both
  // must match (an unrestricted field matches every day).
  bool day_or = false;

  // AWS year field: bit (year - 1970). Unix expressions match every year.
  bool any_year = true;
  std::bitset<kLastAwsYear - kFirstAwsYear + 1> years;

  // Derives the lookup tables; call once after setting the fields above.
  void Finalize();

  // The first matching minute strictly after local second `after` and at most `limit`, within
  // kSearchYears (and the AWS years, and year 9999).
  std::optional<int64_t> Next(int64_t after, int64_t limit = INT64_MAX) const;
  // The last matching minute strictly before local second `before` and at least `limit`, within
  // kSearchYears (and the AWS years, and year 1).
  std::optional<int64_t> Previous(int64_t before, int64_t limit = INT64_MIN) const;

  // Bit d (1-31) set for each matching day of the month.
  uint32_t DayMask(int64_t year, int month) const;

 private:
  bool YearAllowed(int64_t year) const;
  uint32_t DayOfMonthMask(int days_in_month, int first_weekday) const;
  uint32_t DayOfWeekMask(int days_in_month, int first_weekday) const;

  // [weekday of the 1st] -> days matching `weekdays` and `nth_weekday` in a 31-day month.
  std::array<uint32_t, 7> weekday_days_{};
};

}  // namespace nightshift::schedule
