#include "schedule/cron_spec.h"

#include <algorithm>
#include <bit>

#include "schedule/civil.h"

namespace nightshift::schedule {
namespace {

// Lowest set bit at or above `from`, or -1.
int NextBit(uint64_t mask, int from) {
  if (from > 63) return -1;
  mask &= ~uint64_t{0} << from;
  return mask ? std::countr_zero(mask) : -1;
}

// Highest set bit at or below `from`, or -1.
int PrevBit(uint64_t mask, int from) {
  if (from < 0) return -1;
  if (from < 63) mask &= (uint64_t{2} << from) - 1;
  return mask ? 63 - std::countl_zero(mask) : -1;
}

// The day (1-based) of the last Monday-Friday in a month.
int LastWeekday(int days_in_month, int first_weekday) {
  const int last = (first_weekday + days_in_month - 1) % 7;
  return days_in_month - (last == 6 ? 1 : last == 0 ? 2 : 0);
}

// Quartz's "nW": day n if it is a weekday, else the nearest weekday in the same month.
int NearestWeekday(int day, int days_in_month, int first_weekday) {
  const int weekday = (first_weekday + day - 1) % 7;
  if (weekday == 6) return day == 1 ? 3 : day - 1;
  if (weekday == 0) return day == days_in_month ? day - 2 : day + 1;
  return day;
}

}  // namespace

void CronSpec::Finalize() {
  for (int first = 0; first < 7; ++first) {
    uint64_t mask = 0;
    for (int day = 1; day <= 31; ++day) {
      if (weekdays >> ((first + day - 1) % 7) & 1) mask |= uint64_t{1} << day;
    }
    for (int k = 1; k <= 5; ++k) {
      for (int w = 0; w < 7; ++w) {
        if (nth_weekday[k - 1] >> w & 1)
          mask |= uint64_t{1} << (1 + (w - first + 7) % 7 + 7 * (k - 1));
      }
    }
    weekday_days_[first] = static_cast<uint32_t>(mask & 0xFFFFFFFE);
  }
}

uint32_t CronSpec::DayOfMonthMask(int days_in_month, int first_weekday) const {
  uint32_t mask = days;
  if (last_day) mask |= 1u << days_in_month;
  if (last_weekday) mask |= 1u << LastWeekday(days_in_month, first_weekday);
  for (uint32_t n = nearest_weekday; n != 0; n &= n - 1) {
    const int day = std::countr_zero(n);
    // A day the month does not have has no nearest weekday in it.
    if (day <= days_in_month) mask |= 1u << NearestWeekday(day, days_in_month, first_weekday);
  }
  return mask;
}

uint32_t CronSpec::DayOfWeekMask(int days_in_month, int first_weekday) const {
  uint32_t mask = weekday_days_[first_weekday];
  const int last_weekday_of_month = (first_weekday + days_in_month - 1) % 7;
  for (int w = 0; w < 7; ++w) {
    if (last_of_weekday >> w & 1)
      mask |= 1u << (days_in_month - (last_weekday_of_month - w + 7) % 7);
  }
  return mask;
}

uint32_t CronSpec::DayMask(int64_t year, int month) const {
  const int days_in_month = civil::DaysInMonth(year, month);
  const int first_weekday = civil::WeekdayFromDays(civil::DaysFromCivil(year, month, 1));
  const uint32_t valid = static_cast<uint32_t>(((uint64_t{1} << days_in_month) - 1) << 1);
  const uint32_t dom = DayOfMonthMask(days_in_month, first_weekday);
  const uint32_t dow = DayOfWeekMask(days_in_month, first_weekday);
  return (day_or ? (dom | dow) : (dom & dow)) & valid;
}

bool CronSpec::YearAllowed(int64_t year) const {
  if (any_year) return true;
  return year >= kFirstAwsYear && year <= kLastAwsYear && years[year - kFirstAwsYear];
}

// The cursor moves forward through (year, month, day, hour, minute); whenever a field has no
// match left, the next larger field advances and the smaller ones reset to their minimum.
std::optional<int64_t> CronSpec::Next(int64_t after, int64_t limit) const {
  if (limit <= after) return std::nullopt;
  const civil::DateTime start = civil::FromSeconds(civil::FloorDiv(after, 60) * 60 + 60);
  // Past the limit's day nothing can match; within that day the final comparison decides.
  const int64_t limit_day =
      civil::FloorDiv(std::min(limit, civil::kMaxSeconds), civil::kSecondsPerDay);
  int64_t year = start.date.year;
  int month = start.date.month, day = start.date.day, hour = start.hour, minute = start.minute;
  int64_t last_year = std::min<int64_t>(9999, year + kSearchYears);
  if (!any_year) last_year = std::min<int64_t>(last_year, kLastAwsYear);
  if (!any_year && year < kFirstAwsYear)
    year = kFirstAwsYear, month = 1, day = 1, hour = 0, minute = 0;
  auto next_month = [&] {
    if (++month > 12) month = 1, ++year;
    day = 1, hour = 0, minute = 0;
  };
  while (year <= last_year) {
    if (civil::DaysFromCivil(year, month, 1) + day - 1 > limit_day) return std::nullopt;
    if (!YearAllowed(year)) {
      ++year, month = 1, day = 1, hour = 0, minute = 0;
      continue;
    }
    if (!(months >> month & 1)) {
      const int m = NextBit(months, month);
      if (m < 0) ++year;
      month = m < 0 ? 1 : m, day = 1, hour = 0, minute = 0;
      continue;
    }
    const int d = NextBit(DayMask(year, month), day);
    if (d < 0) {
      next_month();
      continue;
    }
    if (d != day) day = d, hour = 0, minute = 0;
    const int h = NextBit(hours, hour);
    if (h < 0) {
      ++day, hour = 0, minute = 0;
      continue;
    }
    if (h != hour) hour = h, minute = 0;
    const int m = NextBit(minutes, minute);
    if (m < 0) {
      ++hour, minute = 0;
      if (hour == 24) ++day, hour = 0;
      continue;
    }
    const int64_t found = civil::ToSeconds({year, month, day}, hour, m, 0);
    return found <= limit ? std::optional(found) : std::nullopt;
  }
  return std::nullopt;
}

// The mirror image of Next: smaller fields reset to their maximum.
std::optional<int64_t> CronSpec::Previous(int64_t before, int64_t limit) const {
  if (limit >= before) return std::nullopt;
  const civil::DateTime start = civil::FromSeconds(civil::FloorDiv(before - 1, 60) * 60);
  const int64_t limit_day =
      civil::FloorDiv(std::max(limit, civil::kMinSeconds), civil::kSecondsPerDay);
  int64_t year = start.date.year;
  int month = start.date.month, day = start.date.day, hour = start.hour, minute = start.minute;
  int64_t first_year = std::max<int64_t>(1, year - kSearchYears);
  if (!any_year) first_year = std::max<int64_t>(first_year, kFirstAwsYear);
  if (!any_year && year > kLastAwsYear)
    year = kLastAwsYear, month = 12, day = 31, hour = 23, minute = 59;
  auto previous_month = [&] {
    if (--month < 1) month = 12, --year;
    day = 31, hour = 23, minute = 59;
  };
  while (year >= first_year) {
    if (civil::DaysFromCivil(year, month, 1) + day - 1 < limit_day) return std::nullopt;
    if (!YearAllowed(year)) {
      --year, month = 12, day = 31, hour = 23, minute = 59;
      continue;
    }
    if (!(months >> month & 1)) {
      const int m = PrevBit(months, month);
      if (m < 0) --year;
      month = m < 0 ? 12 : m, day = 31, hour = 23, minute = 59;
      continue;
    }
    const int d = PrevBit(DayMask(year, month), day);
    if (d < 1) {
      previous_month();
      continue;
    }
    if (d != day) day = d, hour = 23, minute = 59;
    const int h = PrevBit(hours, hour);
    if (h < 0) {
      --day, hour = 23, minute = 59;
      continue;
    }
    if (h != hour) hour = h, minute = 59;
    const int m = PrevBit(minutes, minute);
    if (m < 0) {
      --hour, minute = 59;
      if (hour < 0) --day, hour = 23;
      continue;
    }
    const int64_t found = civil::ToSeconds({year, month, day}, hour, m, 0);
    return found >= limit ? std::optional(found) : std::nullopt;
  }
  return std::nullopt;
}

}  // namespace nightshift::schedule
