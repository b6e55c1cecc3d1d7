// Field semantics in UTC: Vixie cron and AWS cron(...). Dates checked against a calendar.
#include <gtest/gtest.h>

#include "schedule/timetable_test_util.h"

namespace nightshift::schedule {
namespace {

using Fires = std::vector<std::string>;

Fires Days(std::string_view expression, std::string_view start, int count) {
  Fires out;
  for (const std::string& fire : NextFires(expression, "UTC", start, count)) {
    out.push_back(fire.substr(0, 10));
  }
  return out;
}

TEST(CronSpecTest, StepsRangesAndLists) {
  EXPECT_EQ(NextFires("10/20 * * * *", "UTC", "2026-01-01T00:00:00Z", 4),
            (Fires{"2026-01-01T00:10:00+00:00", "2026-01-01T00:30:00+00:00",
                   "2026-01-01T00:50:00+00:00", "2026-01-01T01:10:00+00:00"}));
  EXPECT_EQ(NextFires("0 22-23/1,1 * * *", "UTC", "2026-01-01T21:00:00Z", 3),
            (Fires{"2026-01-01T22:00:00+00:00", "2026-01-01T23:00:00+00:00",
                   "2026-01-02T01:00:00+00:00"}));
  EXPECT_EQ(NextFires("59 23 31 12 *", "UTC", "2026-06-01T00:00:00Z", 2),
            (Fires{"2026-12-31T23:59:00+00:00", "2027-12-31T23:59:00+00:00"}));
}

TEST(CronSpecTest, NamesAnyCaseAndSevenIsSunday) {
  EXPECT_EQ(Days("0 0 1 jan-MAR,Dec *", "2026-01-15T00:00:00Z", 4),
            (Fires{"2026-02-01", "2026-03-01", "2026-12-01", "2027-01-01"}));
  // 2026-01-03 is a Saturday, 2026-01-04 a Sunday.
  EXPECT_EQ(Days("0 0 * * sat,7", "2026-01-01T00:00:00Z", 3),
            (Fires{"2026-01-03", "2026-01-04", "2026-01-10"}));
  EXPECT_EQ(Days("0 0 * * FRI-SUN", "2026-01-01T00:00:00Z", 4),
            (Fires{"2026-01-02", "2026-01-03", "2026-01-04", "2026-01-09"}));
  EXPECT_EQ(Days("0 0 * * 5-0", "2026-01-01T00:00:00Z", 4),
            (Fires{"2026-01-02", "2026-01-03", "2026-01-04", "2026-01-09"}));
}

TEST(CronSpecTest, DayOfMonthOrDayOfWeekWhenBothRestricted) {
  // February 2026: Fridays are 6, 13, 20, 27.
  EXPECT_EQ(Days("0 0 13 * 5", "2026-02-01T00:00:00Z", 5),
            (Fires{"2026-02-06", "2026-02-13", "2026-02-20", "2026-02-27", "2026-03-06"}));
  // croniter's rule: */10 is restricted (Vixie would treat it as '*' and AND the fields).
  EXPECT_EQ(Days("0 0 */10 * 1", "2026-02-01T00:00:00Z", 4),
            (Fires{"2026-02-02", "2026-02-09", "2026-02-11", "2026-02-16"}));
  // A field naming every value is unrestricted: only Mondays.
  EXPECT_EQ(Days("0 0 1-31 * 1", "2026-02-01T00:00:00Z", 2), (Fires{"2026-02-02", "2026-02-09"}));
  EXPECT_EQ(Days("0 0 1 * 0-7", "2026-01-15T00:00:00Z", 2), (Fires{"2026-02-01", "2026-03-01"}));
}

TEST(CronSpecTest, LeapDays) {
  EXPECT_EQ(Days("0 0 29 2 *", "2026-01-01T00:00:00Z", 3),
            (Fires{"2028-02-29", "2032-02-29", "2036-02-29"}));
  EXPECT_EQ(Days("0 0 29 2 *", "2096-03-01T00:00:00Z", 1),
            (Fires{"2104-02-29"}));  // 2100 is not leap
  EXPECT_EQ(PreviousFires("0 0 29 2 *", "UTC", "2028-01-01T00:00:00Z", 2),
            (Fires{"2024-02-29T00:00:00+00:00", "2020-02-29T00:00:00+00:00"}));
}

TEST(CronSpecTest, AwsLastDayAndLastWeekday) {
  EXPECT_EQ(Days("cron(0 12 L * ? 2026)", "2026-01-01T00:00:00Z", 4),
            (Fires{"2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"}));
  // LW: Jan 31 is a Saturday -> 30; May 31 is a Sunday -> 29.
  EXPECT_EQ(Days("cron(0 12 LW 1,3,5 ? 2026)", "2026-01-01T00:00:00Z", 3),
            (Fires{"2026-01-30", "2026-03-31", "2026-05-29"}));
}

TEST(CronSpecTest, AwsNearestWeekdayStaysInTheMonth) {
  // Aug 1 is a Saturday: Monday the 3rd, not Friday July 31. Feb 1 is a Sunday: the 2nd.
  EXPECT_EQ(Days("cron(0 12 1W 1,2,8 ? 2026)", "2026-01-01T00:00:00Z", 3),
            (Fires{"2026-01-01", "2026-02-02", "2026-08-03"}));
  // Aug 15 is a Saturday -> 14; Nov 15 a Sunday -> 16.
  EXPECT_EQ(Days("cron(0 12 15W 8,11 ? 2026)", "2026-01-01T00:00:00Z", 2),
            (Fires{"2026-08-14", "2026-11-16"}));
  // May 31 is a Sunday -> Friday 29 (not June 1); February has no 31st.
  EXPECT_EQ(Days("cron(0 12 31W 2,5 ? 2026)", "2026-01-01T00:00:00Z", 2), (Fires{"2026-05-29"}));
}

TEST(CronSpecTest, AwsNthAndLastWeekday) {
  // 5#5 = the fifth Thursday; 2026 has them in Jan, Apr, Jul, Oct, Dec.
  EXPECT_EQ(Days("cron(0 12 ? * 5#5 2026)", "2026-01-01T00:00:00Z", 6),
            (Fires{"2026-01-29", "2026-04-30", "2026-07-30", "2026-10-29", "2026-12-31"}));
  EXPECT_EQ(Days("cron(0 12 ? * 6L 2026)", "2026-01-01T00:00:00Z", 3),  // last Friday
            (Fires{"2026-01-30", "2026-02-27", "2026-03-27"}));
  EXPECT_EQ(Days("cron(0 12 ? * L 2026)", "2026-01-01T00:00:00Z", 2),  // L alone = Saturday
            (Fires{"2026-01-03", "2026-01-10"}));
  EXPECT_EQ(Days("cron(0 12 ? * MON#1,FRIL *)", "2026-01-01T00:00:00Z", 3),
            (Fires{"2026-01-05", "2026-01-30", "2026-02-02"}));
  // The fifth Monday of February is a Monday February 29th: 2044 after 2016.
  EXPECT_EQ(Days("cron(0 0 ? 2 2#5 *)", "2026-01-01T00:00:00Z", 2),
            (Fires{"2044-02-29", "2072-02-29"}));
}

TEST(CronSpecTest, AwsYearsBoundTheFires) {
  EXPECT_EQ(Days("cron(0 12 31 12 ? 2026-2027)", "2026-01-01T00:00:00Z", 5),
            (Fires{"2026-12-31", "2027-12-31"}));
  EXPECT_EQ(Days("cron(0 0 1 1 ? */100)", "2026-01-01T00:00:00Z", 5),
            (Fires{"2070-01-01", "2170-01-01"}));
  const Timetable to_2199 = MakeTimetable("cron(0 0 1 1 ? *)", "UTC", "2026-01-01T00:00:00Z");
  EXPECT_EQ(to_2199.Next(At("2199-01-01T00:00:00Z")), std::nullopt);
  EXPECT_EQ(to_2199.Previous(At("2300-01-01T00:00:00Z")), At("2199-01-01T00:00:00Z"));
}

TEST(CronSpecTest, NeverFires) {
  for (const char* e : {"0 0 30 2 *", "0 0 31 4 *", "0 0 31 2,4,6,9,11 *", "cron(0 0 1 1 ? 2020)",
                        "cron(0 0 30 2 ? *)"}) {
    Result<Timetable> t =
        Timetable::Create(*Expression::Parse(e), Zone::Utc(), {}, At("2026-01-01T00:00:00Z"));
    ASSERT_FALSE(t.ok()) << e;
    EXPECT_EQ(t.status().message(), "expression '" + std::string(e) + "' never fires");
  }
}

}  // namespace
}  // namespace nightshift::schedule
