#include "schedule/timetable.h"

#include <gtest/gtest.h>

#include "schedule/timetable_test_util.h"

namespace nightshift::schedule {
namespace {

using Fires = std::vector<std::string>;

TEST(TimetableTest, NextIsStrictlyAfterAndPreviousStrictlyBefore) {
  const Timetable t = MakeTimetable("0 12 * * *", "UTC", "2026-01-01T00:00:00Z");
  EXPECT_EQ(t.Next(At("2026-01-01T12:00:00Z")), At("2026-01-02T12:00:00Z"));
  EXPECT_EQ(t.Next(At("2026-01-01T11:59:59.999Z")), At("2026-01-01T12:00:00Z"));
  EXPECT_EQ(t.Previous(At("2026-01-02T12:00:00Z")), At("2026-01-01T12:00:00Z"));
  EXPECT_EQ(t.Previous(At("2026-01-02T12:00:00.001Z")), At("2026-01-02T12:00:00Z"));
}

TEST(TimetableTest, RateCountsFromTheStart) {
  EXPECT_EQ(NextFires("rate(90 minutes)", "UTC", "2026-01-01T00:00:00Z", 3),
            (Fires{"2026-01-01T01:30:00+00:00", "2026-01-01T03:00:00+00:00",
                   "2026-01-01T04:30:00+00:00"}));
  const Timetable t = MakeTimetable("rate(2 days)", "UTC", "2026-01-01T10:00:00Z");
  EXPECT_EQ(t.Next(At("2025-01-01T00:00:00Z")), At("2026-01-01T10:00:00Z"));  // k = 0 counts
  EXPECT_EQ(t.Next(At("2026-01-04T00:00:00Z")), At("2026-01-05T10:00:00Z"));
  EXPECT_EQ(t.Previous(At("2026-01-04T00:00:00Z")), At("2026-01-03T10:00:00Z"));
  EXPECT_EQ(t.Previous(At("2026-01-01T10:00:00Z")), std::nullopt);
  // Fires fall on whole seconds: a start with milliseconds rounds up.
  const Timetable ms = MakeTimetable("rate(1 minute)", "UTC", "2026-01-01T00:00:00.250Z");
  EXPECT_EQ(ms.Next(At("2026-01-01T00:00:00Z")), At("2026-01-01T00:00:01Z"));
}

TEST(TimetableTest, RateInSecondsFiresEverySecondFromTheStart) {
  EXPECT_EQ(NextFires("rate(1 second)", "UTC", "2026-01-01T00:00:00.250Z", 3),
            (Fires{"2026-01-01T00:00:01+00:00", "2026-01-01T00:00:02+00:00",
                   "2026-01-01T00:00:03+00:00"}));
  const Timetable t = MakeTimetable("rate(15 seconds)", "UTC", "2026-01-01T00:00:00Z");
  EXPECT_EQ(t.Next(At("2026-01-01T00:00:15Z")), At("2026-01-01T00:00:30Z"));
  EXPECT_EQ(t.Previous(At("2026-01-01T00:00:44.999Z")), At("2026-01-01T00:00:30Z"));
}

TEST(TimetableTest, AtFiresOnceInItsZone) {
  const Timetable t =
      MakeTimetable("at(2026-07-01T09:30:00)", "America/New_York", "2026-01-01T00:00:00Z");
  EXPECT_EQ(t.Next(At("2026-01-01T00:00:00Z")), At("2026-07-01T13:30:00Z"));
  EXPECT_EQ(t.Next(At("2026-07-01T13:30:00Z")), std::nullopt);
  EXPECT_EQ(t.Previous(At("2027-01-01T00:00:00Z")), At("2026-07-01T13:30:00Z"));
  Result<Timetable> past = Timetable::Create(*Expression::Parse("at(2020-01-01T00:00:00)"),
                                             Zone::Utc(), {}, At("2026-01-01T00:00:00Z"));
  EXPECT_FALSE(past.ok());
}

TEST(TimetableTest, CreateAcceptsAFireExactlyAtStart) {
  EXPECT_TRUE(Timetable::Create(*Expression::Parse("at(2026-01-01T00:00:00)"), Zone::Utc(), {},
                                At("2026-01-01T00:00:00Z"))
                  .ok());
}

TEST(TimetableTest, FiresAreStrictlyIncreasingAndPreviousUndoesNext) {
  for (const char* zone : {"Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
                           "Pacific/Apia", "Asia/Kathmandu"}) {
    for (const char* expr :
         {"*/7 * * * *", "30 2 * * *", "0,30 1-3 * * *", "cron(15 2 ? * 1#1 *)"}) {
      for (DstPolicy dst : {DstPolicy{GapPolicy::kShift, RepeatPolicy::kBoth},
                            DstPolicy{GapPolicy::kSkip, RepeatPolicy::kLast}}) {
        const Timetable t = MakeTimetable(expr, zone, "2026-01-01T00:00:00Z", dst);
        TimeMs last = At("2026-01-01T00:00:00Z");
        for (int i = 0; i < 3000 && last < At("2150-01-01T00:00:00Z"); ++i) {
          const std::optional<TimeMs> next = t.Next(last);
          ASSERT_TRUE(next) << zone << " " << expr;
          ASSERT_GT(*next, last) << zone << " " << expr;
          ASSERT_EQ(t.Previous(*next + 1), *next) << zone << " " << expr;
          ASSERT_EQ(t.Previous(*next), i == 0 ? t.Previous(*next) : last) << zone << " " << expr;
          last = *next;
        }
      }
    }
  }
}

TEST(TimetableTest, TimesOutsideYears1To9999HaveNoFires) {
  const Timetable t = MakeTimetable("* * * * *", "UTC", "2026-01-01T00:00:00Z");
  EXPECT_EQ(t.Next(At("9999-12-31T23:59:00Z")), std::nullopt);
  EXPECT_EQ(t.Next(INT64_MAX), std::nullopt);
  EXPECT_EQ(t.Previous(INT64_MIN), std::nullopt);
  EXPECT_EQ(t.Previous(At("0001-01-01T00:00:00Z")), std::nullopt);
  EXPECT_EQ(t.Next(INT64_MIN), At("0001-01-01T00:00:00Z"));
}

}  // namespace
}  // namespace nightshift::schedule
