// Test helpers: fire times as RFC 3339 strings, so expectations read like a calendar.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "schedule/timetable.h"

namespace nightshift::schedule {

inline Zone LoadZone(std::string_view name) {
  Result<Zone> zone = Zone::Load(name);
  EXPECT_TRUE(zone.ok()) << zone.status().ToString();
  return zone.ok() ? *zone : Zone::Utc();
}

inline TimeMs At(std::string_view rfc3339) {
  Result<TimeMs> t = ParseRfc3339(rfc3339);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? *t : 0;
}

inline Timetable MakeTimetable(std::string_view expression, std::string_view zone,
                               std::string_view start, DstPolicy dst = {}) {
  Result<Expression> parsed = Expression::Parse(expression);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  if (!parsed.ok()) parsed = *Expression::Parse("* * * * *");
  Result<Timetable> timetable = Timetable::Create(*parsed, LoadZone(zone), dst, At(start));
  EXPECT_TRUE(timetable.ok()) << timetable.status().ToString();
  if (!timetable.ok()) {
    timetable = Timetable::Create(*Expression::Parse("* * * * *"), Zone::Utc(), {}, 0);
  }
  return *timetable;
}

// The first `count` fires after `start` (exclusive), formatted in the zone.
inline std::vector<std::string> NextFires(std::string_view expression, std::string_view zone,
                                          std::string_view start, int count, DstPolicy dst = {}) {
  const Timetable timetable = MakeTimetable(expression, zone, start, dst);
  std::vector<std::string> out;
  TimeMs t = At(start);
  for (int i = 0; i < count; ++i) {
    const std::optional<TimeMs> fire = timetable.Next(t);
    if (!fire) break;
    out.push_back(FormatRfc3339(*fire, timetable.zone()));
    t = *fire;
  }
  return out;
}

// The last `count` fires before `before` (exclusive), latest first.
inline std::vector<std::string> PreviousFires(std::string_view expression, std::string_view zone,
                                              std::string_view before, int count,
                                              DstPolicy dst = {}) {
  const Timetable timetable = MakeTimetable(expression, zone, "1970-01-01T00:00:00Z", dst);
  std::vector<std::string> out;
  TimeMs t = At(before);
  for (int i = 0; i < count; ++i) {
    const std::optional<TimeMs> fire = timetable.Previous(t);
    if (!fire) break;
    out.push_back(FormatRfc3339(*fire, timetable.zone()));
    t = *fire;
  }
  return out;
}

}  // namespace nightshift::schedule
