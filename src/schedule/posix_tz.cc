#include "schedule/posix_tz.h"

#include <algorithm>
#include <cctype>

#include "schedule/civil.h"

namespace nightshift::schedule {
namespace {

// A cursor over the rule text; every Read* returns false and leaves the cursor anywhere on a
// syntax error, which rejects the whole rule.
class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  bool done() const { return pos_ == text_.size(); }
  bool Consume(char c) {
    if (done() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }

  // An abbreviation: three or more letters, or anything in <...>.
  bool ReadName() {
    if (Consume('<')) {
      const size_t close = text_.find('>', pos_);
      if (close == std::string_view::npos || close - pos_ < 3) return false;
      pos_ = close + 1;
      return true;
    }
    const size_t start = pos_;
    while (!done() && std::isalpha(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    return pos_ - start >= 3;
  }

  bool ReadNumber(int max, int* value) {
    const size_t start = pos_;
    int v = 0;
    while (!done() && std::isdigit(static_cast<unsigned char>(text_[pos_])) && pos_ - start < 4) {
      v = v * 10 + (text_[pos_++] - '0');
    }
    *value = v;
    return pos_ > start && v <= max;
  }

  // [+-]hh[:mm[:ss]] in seconds, hh at most max_hours.
  bool ReadDuration(int max_hours, int* seconds) {
    const int sign = Consume('-') ? -1 : (Consume('+'), 1);
    int h = 0, m = 0, s = 0;
    if (!ReadNumber(max_hours, &h)) return false;
    if (Consume(':') && (!ReadNumber(59, &m) || (Consume(':') && !ReadNumber(59, &s)))) {
      return false;
    }
    *seconds = sign * (h * 3600 + m * 60 + s);
    return true;
  }

  bool ReadRuleDate(PosixTz::RuleDate* date) {
    using Form = PosixTz::RuleDate::Form;
    bool ok;
    if (Consume('J')) {
      date->form = Form::kJulian;
      ok = ReadNumber(365, &date->day_or_month) && date->day_or_month >= 1;
    } else if (Consume('M')) {
      date->form = Form::kMonthWeekDay;
      ok = ReadNumber(12, &date->day_or_month) && date->day_or_month >= 1 && Consume('.') &&
           ReadNumber(5, &date->week) && date->week >= 1 && Consume('.') &&
           ReadNumber(6, &date->weekday);
    } else {
      date->form = Form::kZeroBased;
      ok = ReadNumber(365, &date->day_or_month);
    }
    return ok && (!Consume('/') || ReadDuration(167, &date->time));
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

std::optional<PosixTz> PosixTz::Parse(std::string_view text) {
  Reader r(text);
  PosixTz tz;
  int std_west = 0;
  if (!r.ReadName() || !r.ReadDuration(24, &std_west)) return std::nullopt;
  tz.std_offset_ = -std_west;  // POSIX counts hours west of Greenwich
  if (r.done()) return tz;
  if (!r.ReadName()) return std::nullopt;
  tz.has_dst_ = true;
  tz.dst_offset_ = tz.std_offset_ + 3600;
  int dst_west = 0;
  if (!r.Consume(',')) {
    if (!r.ReadDuration(24, &dst_west)) return std::nullopt;
    tz.dst_offset_ = -dst_west;
    if (!r.Consume(',')) return std::nullopt;
  }
  if (!r.ReadRuleDate(&tz.start_) || !r.Consume(',') || !r.ReadRuleDate(&tz.end_) || !r.done()) {
    return std::nullopt;
  }
  return tz;
}

int64_t PosixTz::DayOf(const RuleDate& date, int64_t year) const {
  const int64_t jan1 = civil::DaysFromCivil(year, 1, 1);
  switch (date.form) {
    case RuleDate::Form::kJulian:
      return jan1 + date.day_or_month - 1 + (civil::IsLeap(year) && date.day_or_month >= 60);
    case RuleDate::Form::kZeroBased:
      return jan1 + date.day_or_month;
    case RuleDate::Form::kMonthWeekDay:
      break;
  }
  const int64_t first = civil::DaysFromCivil(year, date.day_or_month, 1);
  int64_t day = first + civil::FloorMod(date.weekday - civil::WeekdayFromDays(first), 7) +
                7 * (date.week - 1);
  const int64_t month_end = first + civil::DaysInMonth(year, date.day_or_month);
  while (day >= month_end) day -= 7;  // week 5: the last such weekday
  return day;
}

std::array<PosixTz::Transition, 2> PosixTz::TransitionsIn(int64_t year) const {
  // The start time is on the standard-time clock, the end time on the DST clock.
  Transition start{DayOf(start_, year) * civil::kSecondsPerDay + start_.time - std_offset_,
                   dst_offset_};
  Transition end{DayOf(end_, year) * civil::kSecondsPerDay + end_.time - dst_offset_, std_offset_};
  if (end.at < start.at) std::swap(start, end);  // southern hemisphere: DST spans the new year
  return {start, end};
}

}  // namespace nightshift::schedule
