// Proleptic Gregorian calendar arithmetic on plain integers (Howard Hinnant's days_from_civil
// family). The schedule hot paths work on seconds since the epoch; these avoid round trips
// through chrono types there. Pure, constexpr, thread-safe.
#pragma once

#include <cstdint>

namespace nightshift::schedule::civil {

inline constexpr int64_t kSecondsPerDay = 86400;

constexpr int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}
constexpr int64_t FloorMod(int64_t a, int64_t b) { return a - FloorDiv(a, b) * b; }

constexpr bool IsLeap(int64_t year) {
  return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

constexpr int DaysInMonth(int64_t year, int month) {
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeap(year) ? 29 : kDays[month - 1];
}

// Days since 1970-01-01 of year-month-day (month 1-12, day 1-31).
constexpr int64_t DaysFromCivil(int64_t year, int month, int day) {
  year -= month <= 2;
  const int64_t era = FloorDiv(year, 400);
  const int64_t yoe = year - era * 400;
  const int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct Date {
  int64_t year;
  int month;  // 1-12
  int day;    // 1-31
};

constexpr Date CivilFromDays(int64_t days) {
  days += 719468;
  const int64_t era = FloorDiv(days, 146097);
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (month <= 2), month, day};
}

// 0 = Sunday ... 6 = Saturday.
constexpr int WeekdayFromDays(int64_t days) { return static_cast<int>(FloorMod(days + 4, 7)); }

// A wall-clock time broken down, as local seconds since the epoch would read on a UTC clock.
struct DateTime {
  Date date;
  int hour;
  int minute;
  int second;
};

constexpr DateTime FromSeconds(int64_t seconds) {
  const int64_t days = FloorDiv(seconds, kSecondsPerDay);
  const int64_t rest = seconds - days * kSecondsPerDay;
  return {CivilFromDays(days), static_cast<int>(rest / 3600), static_cast<int>(rest / 60 % 60),
          static_cast<int>(rest % 60)};
}

constexpr int64_t ToSeconds(const Date& date, int hour, int minute, int second) {
  return DaysFromCivil(date.year, date.month, date.day) * kSecondsPerDay + hour * 3600 +
         minute * 60 + second;
}

// The range of times the schedule code handles: years 1 to 9999, as RFC 3339 can write them.
inline constexpr int64_t kMinSeconds = DaysFromCivil(1, 1, 1) * kSecondsPerDay;
inline constexpr int64_t kMaxSeconds = DaysFromCivil(10000, 1, 1) * kSecondsPerDay - 1;

}  // namespace nightshift::schedule::civil
