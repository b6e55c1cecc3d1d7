// Daylight saving: every expected time below was derived by hand from the zone's rules and
// checked against glibc (TZ=<zone> date -d @<seconds>).
#include <gtest/gtest.h>

#include "schedule/timetable.h"
#include "schedule/timetable_test_util.h"

namespace nightshift::schedule {
namespace {

using Fires = std::vector<std::string>;
constexpr DstPolicy kShiftFirst{GapPolicy::kShift, RepeatPolicy::kFirst};
constexpr DstPolicy kSkipFirst{GapPolicy::kSkip, RepeatPolicy::kFirst};
constexpr DstPolicy kShiftLast{GapPolicy::kShift, RepeatPolicy::kLast};
constexpr DstPolicy kShiftBoth{GapPolicy::kShift, RepeatPolicy::kBoth};

// Berlin 2026: 02:00 CET -> 03:00 CEST on March 29; 03:00 CEST -> 02:00 CET on October 25.
TEST(TimetableDstTest, BerlinSpringForwardShiftsToTheEndOfTheGap) {
  EXPECT_EQ(NextFires("30 2 * * *", "Europe/Berlin", "2026-03-28T12:00:00+01:00", 2, kShiftFirst),
            (Fires{"2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00"}));
}

TEST(TimetableDstTest, BerlinSpringForwardSkipDropsTheFire) {
  EXPECT_EQ(NextFires("30 2 * * *", "Europe/Berlin", "2026-03-28T12:00:00+01:00", 2, kSkipFirst),
            (Fires{"2026-03-30T02:30:00+02:00", "2026-03-31T02:30:00+02:00"}));
}

TEST(TimetableDstTest, SeveralLocalTimesShiftedOntoOneInstantFireOnce) {
  EXPECT_EQ(NextFires("0,30 2,3 * * *", "Europe/Berlin", "2026-03-29T00:00:00+01:00", 3),
            (Fires{"2026-03-29T03:00:00+02:00", "2026-03-29T03:30:00+02:00",
                   "2026-03-30T02:00:00+02:00"}));
}

TEST(TimetableDstTest, BerlinFallBackFirstLastBoth) {
  const char* start = "2026-10-24T12:00:00+02:00";
  EXPECT_EQ(NextFires("30 2 * * *", "Europe/Berlin", start, 2, kShiftFirst),
            (Fires{"2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"}));
  EXPECT_EQ(NextFires("30 2 * * *", "Europe/Berlin", start, 2, kShiftLast),
            (Fires{"2026-10-25T02:30:00+01:00", "2026-10-26T02:30:00+01:00"}));
  EXPECT_EQ(NextFires("30 2 * * *", "Europe/Berlin", start, 3, kShiftBoth),
            (Fires{"2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+01:00",
                   "2026-10-26T02:30:00+01:00"}));
}

// With both occurrences, local order is not instant order: 02:40 CEST comes before 02:20 CET.
TEST(TimetableDstTest, BothOccurrencesComeOutInInstantOrder) {
  EXPECT_EQ(NextFires("20,40 2 * * *", "Europe/Berlin", "2026-10-25T00:00:00+02:00", 4, kShiftBoth),
            (Fires{"2026-10-25T02:20:00+02:00", "2026-10-25T02:40:00+02:00",
                   "2026-10-25T02:20:00+01:00", "2026-10-25T02:40:00+01:00"}));
  // Starting between the two occurrences still finds the second 02:20.
  EXPECT_EQ(NextFires("20,40 2 * * *", "Europe/Berlin", "2026-10-25T02:50:00+02:00", 2, kShiftBoth),
            (Fires{"2026-10-25T02:20:00+01:00", "2026-10-25T02:40:00+01:00"}));
}

TEST(TimetableDstTest, HourlyFollowsElapsedTimeWhateverThePolicy) {
  for (DstPolicy dst : {kShiftFirst, kShiftLast, kSkipFirst}) {
    EXPECT_EQ(NextFires("30 * * * *", "Europe/Berlin", "2026-10-25T00:00:00+02:00", 5, dst),
              (Fires{"2026-10-25T00:30:00+02:00", "2026-10-25T01:30:00+02:00",
                     "2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+01:00",
                     "2026-10-25T03:30:00+01:00"}));
    EXPECT_EQ(NextFires("30 * * * *", "Europe/Berlin", "2026-03-29T00:00:00+01:00", 3, dst),
              (Fires{"2026-03-29T00:30:00+01:00", "2026-03-29T01:30:00+01:00",
                     "2026-03-29T03:30:00+02:00"}));
  }
  EXPECT_EQ(NextFires("@hourly", "Europe/Berlin", "2026-03-29T00:30:00+01:00", 2),
            (Fires{"2026-03-29T01:00:00+01:00", "2026-03-29T03:00:00+02:00"}));
}

TEST(TimetableDstTest, HourStepFollowsElapsedTime) {
  EXPECT_EQ(NextFires("0 */2 * * *", "Europe/Berlin", "2026-10-24T23:00:00+02:00", 4),
            (Fires{"2026-10-25T00:00:00+02:00", "2026-10-25T02:00:00+02:00",
                   "2026-10-25T02:00:00+01:00", "2026-10-25T04:00:00+01:00"}));
  EXPECT_EQ(NextFires("0 */2 * * *", "Europe/Berlin", "2026-03-28T23:00:00+01:00", 2),
            (Fires{"2026-03-29T00:00:00+01:00", "2026-03-29T04:00:00+02:00"}));
}

TEST(TimetableDstTest, FixedHourWithMinuteStepFollowsThePolicy) {
  EXPECT_EQ(NextFires("*/20 2 * * *", "Europe/Berlin", "2026-10-25T00:00:00+02:00", 4),
            (Fires{"2026-10-25T02:00:00+02:00", "2026-10-25T02:20:00+02:00",
                   "2026-10-25T02:40:00+02:00", "2026-10-26T02:00:00+01:00"}));
}

// New York 2026: 02:00 EST -> 03:00 EDT on March 8; 02:00 EDT -> 01:00 EST on November 1.
TEST(TimetableDstTest, NewYork) {
  EXPECT_EQ(NextFires("30 2 * * *", "America/New_York", "2026-03-07T12:00:00-05:00", 2),
            (Fires{"2026-03-08T03:00:00-04:00", "2026-03-09T02:30:00-04:00"}));
  EXPECT_EQ(NextFires("30 1 * * *", "America/New_York", "2026-10-31T12:00:00-04:00", 3, kShiftBoth),
            (Fires{"2026-11-01T01:30:00-04:00", "2026-11-01T01:30:00-05:00",
                   "2026-11-02T01:30:00-05:00"}));
  EXPECT_EQ(NextFires("30 1 * * *", "America/New_York", "2026-10-31T12:00:00-04:00", 1, kShiftLast),
            (Fires{"2026-11-01T01:30:00-05:00"}));
}

// Lord Howe moves by 30 minutes: 02:00 +10:30 -> 02:30 +11:00 on 2026-10-04, 02:00 +11:00 ->
// 01:30 +10:30 on 2026-04-05.
TEST(TimetableDstTest, LordHoweHalfHourShift) {
  EXPECT_EQ(NextFires("15 2 * * *", "Australia/Lord_Howe", "2026-10-03T12:00:00+10:30", 2),
            (Fires{"2026-10-04T02:30:00+11:00", "2026-10-05T02:15:00+11:00"}));
  EXPECT_EQ(NextFires("45 1 * * *", "Australia/Lord_Howe", "2026-04-04T12:00:00+11:00", 1),
            (Fires{"2026-04-05T01:45:00+11:00"}));
  EXPECT_EQ(
      NextFires("45 1 * * *", "Australia/Lord_Howe", "2026-04-04T12:00:00+11:00", 1, kShiftLast),
      (Fires{"2026-04-05T01:45:00+10:30"}));
  EXPECT_EQ(NextFires("*/15 * * * *", "Australia/Lord_Howe", "2026-04-05T01:00:00+11:00", 6),
            (Fires{"2026-04-05T01:15:00+11:00", "2026-04-05T01:30:00+11:00",
                   "2026-04-05T01:45:00+11:00", "2026-04-05T01:30:00+10:30",
                   "2026-04-05T01:45:00+10:30", "2026-04-05T02:00:00+10:30"}));
}

TEST(TimetableDstTest, KathmanduQuarterHourOffset) {
  EXPECT_EQ(NextFires("0 9 * * *", "Asia/Kathmandu", "2026-01-01T00:00:00Z", 2),
            (Fires{"2026-01-01T09:00:00+05:45", "2026-01-02T09:00:00+05:45"}));
}

// Samoa skipped 2011-12-30 entirely: 23:59:59 -10:00 on the 29th was followed by 00:00 +14:00
// on the 31st.
TEST(TimetableDstTest, ApiaSkippedDay) {
  EXPECT_EQ(NextFires("0 12 * * *", "Pacific/Apia", "2011-12-29T00:00:00-10:00", 3, kShiftFirst),
            (Fires{"2011-12-29T12:00:00-10:00", "2011-12-31T00:00:00+14:00",
                   "2011-12-31T12:00:00+14:00"}));
  EXPECT_EQ(NextFires("0 12 * * *", "Pacific/Apia", "2011-12-29T00:00:00-10:00", 2, kSkipFirst),
            (Fires{"2011-12-29T12:00:00-10:00", "2011-12-31T12:00:00+14:00"}));
}

// Debian's zone files stop at 2037; the footer rule CET-1CEST,M3.5.0,M10.5.0/3 takes over.
TEST(TimetableDstTest, BerlinAfter2037UsesTheFooterRule) {
  EXPECT_EQ(NextFires("0 12 1 7 *", "Europe/Berlin", "2040-01-01T00:00:00Z", 1),
            (Fires{"2040-07-01T12:00:00+02:00"}));
  // 2045: March 26 and October 29 are the last Sundays.
  EXPECT_EQ(NextFires("30 2 * * *", "Europe/Berlin", "2045-03-25T12:00:00+01:00", 2),
            (Fires{"2045-03-26T03:00:00+02:00", "2045-03-27T02:30:00+02:00"}));
  EXPECT_EQ(NextFires("0 * * * *", "Europe/Berlin", "2045-10-29T01:30:00+02:00", 4),
            (Fires{"2045-10-29T02:00:00+02:00", "2045-10-29T02:00:00+01:00",
                   "2045-10-29T03:00:00+01:00", "2045-10-29T04:00:00+01:00"}));
}

TEST(TimetableDstTest, SydneyAfter2037SouthernHemisphere) {
  // AEDT ends on the first Sunday of April (2046-04-01) at 03:00 -> 02:00.
  EXPECT_EQ(NextFires("30 2 * * *", "Australia/Sydney", "2046-03-31T12:00:00+11:00", 2, kShiftBoth),
            (Fires{"2046-04-01T02:30:00+11:00", "2046-04-01T02:30:00+10:00"}));
}

TEST(TimetableDstTest, PreviousMirrorsNextAcrossTransitions) {
  EXPECT_EQ(PreviousFires("30 2 * * *", "Europe/Berlin", "2026-03-30T00:00:00+02:00", 2),
            (Fires{"2026-03-29T03:00:00+02:00", "2026-03-28T02:30:00+01:00"}));
  EXPECT_EQ(
      PreviousFires("20,40 2 * * *", "Europe/Berlin", "2026-10-25T12:00:00+01:00", 4, kShiftBoth),
      (Fires{"2026-10-25T02:40:00+01:00", "2026-10-25T02:20:00+01:00", "2026-10-25T02:40:00+02:00",
             "2026-10-25T02:20:00+02:00"}));
  EXPECT_EQ(PreviousFires("30 * * * *", "Europe/Berlin", "2026-10-25T03:00:00+01:00", 3),
            (Fires{"2026-10-25T02:30:00+01:00", "2026-10-25T02:30:00+02:00",
                   "2026-10-25T01:30:00+02:00"}));
}

TEST(TimetableDstTest, AtInAGap) {
  EXPECT_EQ(NextFires("at(2026-03-29T02:30:00)", "Europe/Berlin", "2026-01-01T00:00:00Z", 2),
            (Fires{"2026-03-29T03:00:00+02:00"}));
  Result<Timetable> skipped =
      Timetable::Create(*Expression::Parse("at(2026-03-29T02:30:00)"), LoadZone("Europe/Berlin"),
                        kSkipFirst, At("2026-01-01T00:00:00Z"));
  ASSERT_FALSE(skipped.ok());
  EXPECT_EQ(skipped.status().message(), "expression 'at(2026-03-29T02:30:00)' never fires");
}

TEST(TimetableDstTest, RateIgnoresDaylightSaving) {
  EXPECT_EQ(NextFires("rate(1 hour)", "Europe/Berlin", "2026-03-29T00:30:00+01:00", 3),
            (Fires{"2026-03-29T01:30:00+01:00", "2026-03-29T03:30:00+02:00",
                   "2026-03-29T04:30:00+02:00"}));
}

}  // namespace
}  // namespace nightshift::schedule
