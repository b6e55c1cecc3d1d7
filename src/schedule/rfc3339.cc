// RFC 3339 timestamps: written with the zone's offset, read with any offset.
#include <cctype>
#include <cstdio>

#include "schedule/civil.h"
#include "schedule/timetable.h"

namespace nightshift::schedule {
namespace {

Status NotRfc3339(std::string_view text, std::string_view reason) {
  return Status::InvalidArgument(
      "time '" + std::string(text) +
      "' is not RFC 3339 like 2026-03-29T03:00:00+02:00: " + std::string(reason));
}

// Reads exactly `digits` digits at `*pos`.
bool ReadNumber(std::string_view text, size_t* pos, size_t digits, int* value) {
  if (*pos + digits > text.size()) return false;
  *value = 0;
  for (size_t i = 0; i < digits; ++i) {
    const char c = text[*pos + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    *value = *value * 10 + (c - '0');
  }
  *pos += digits;
  return true;
}

bool Expect(std::string_view text, size_t* pos, std::string_view one_of) {
  if (*pos >= text.size() || one_of.find(text[*pos]) == std::string_view::npos) return false;
  ++*pos;
  return true;
}

}  // namespace

std::string FormatRfc3339(TimeMs t, const Zone& zone) {
  const int64_t seconds = civil::FloorDiv(t, 1000);
  const int millis = static_cast<int>(t - seconds * 1000);
  int offset = zone.OffsetAt(t);
  // RFC 3339 offsets have no seconds; old local mean times do, so write those in UTC.
  if (offset % 60 != 0) offset = 0;
  const civil::DateTime dt = civil::FromSeconds(seconds + offset);
  const int abs_offset = offset < 0 ? -offset : offset;
  if (dt.date.year < 0 || dt.date.year > 9999) {
    char buf[64];
    int n = std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02d",
                          static_cast<long long>(dt.date.year), dt.date.month, dt.date.day, dt.hour,
                          dt.minute, dt.second);
    if (millis != 0) n += std::snprintf(buf + n, sizeof buf - n, ".%03d", millis);
    std::snprintf(buf + n, sizeof buf - n, "%c%02d:%02d", offset < 0 ? '-' : '+', abs_offset / 3600,
                  abs_offset / 60 % 60);
    return buf;
  }
  // Digit by digit: every event carries a time, and snprintf was a fifth of an event's cost.
  char buf[32];
  char* p = buf;
  auto put = [&p](int64_t value, int digits, char after) {
    for (int i = digits - 1; i >= 0; --i, value /= 10) p[i] = static_cast<char>('0' + value % 10);
    p += digits;
    if (after != '\0') *p++ = after;
  };
  put(dt.date.year, 4, '-');
  put(dt.date.month, 2, '-');
  put(dt.date.day, 2, 'T');
  put(dt.hour, 2, ':');
  put(dt.minute, 2, ':');
  put(dt.second, 2, millis != 0 ? '.' : '\0');
  if (millis != 0) put(millis, 3, '\0');
  *p++ = offset < 0 ? '-' : '+';
  put(abs_offset / 3600, 2, ':');
  put(abs_offset / 60 % 60, 2, '\0');
  return std::string(buf, p);
}

std::string FormatUtc(TimeMs t) { return FormatRfc3339(t, Zone::Utc()); }

Result<TimeMs> ParseRfc3339(std::string_view text) {
  size_t pos = 0;
  int year, month, day, hour, minute, second;
  if (!ReadNumber(text, &pos, 4, &year) || !Expect(text, &pos, "-") ||
      !ReadNumber(text, &pos, 2, &month) || !Expect(text, &pos, "-") ||
      !ReadNumber(text, &pos, 2, &day) || !Expect(text, &pos, "Tt ") ||
      !ReadNumber(text, &pos, 2, &hour) || !Expect(text, &pos, ":") ||
      !ReadNumber(text, &pos, 2, &minute) || !Expect(text, &pos, ":") ||
      !ReadNumber(text, &pos, 2, &second)) {
    return NotRfc3339(text, "expected yyyy-mm-ddThh:mm:ss");
  }
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > civil::DaysInMonth(year, month)) {
    return NotRfc3339(text, "no such date");
  }
  if (hour > 23 || minute > 59 || second > 59) return NotRfc3339(text, "no such time of day");
  int millis = 0;
  if (Expect(text, &pos, ".")) {
    const size_t start = pos;
    for (; pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])); ++pos) {
      if (pos - start < 3) millis = millis * 10 + (text[pos] - '0');
    }
    if (pos == start) return NotRfc3339(text, "expected digits after '.'");
    for (size_t i = pos - start; i < 3; ++i) millis *= 10;
  }
  int offset = 0;
  if (!Expect(text, &pos, "Zz")) {
    const bool negative = pos < text.size() && text[pos] == '-';
    int offset_hours, offset_minutes;
    if (!Expect(text, &pos, "+-") || !ReadNumber(text, &pos, 2, &offset_hours) ||
        !Expect(text, &pos, ":") || !ReadNumber(text, &pos, 2, &offset_minutes) ||
        offset_hours > 23 || offset_minutes > 59) {
      return NotRfc3339(text, "expected Z or an offset like +02:00");
    }
    offset = (negative ? -1 : 1) * (offset_hours * 3600 + offset_minutes * 60);
  }
  if (pos != text.size()) return NotRfc3339(text, "unexpected text at the end");
  const int64_t local = civil::ToSeconds({year, month, day}, hour, minute, second);
  return (local - offset) * 1000 + millis;
}

}  // namespace nightshift::schedule
