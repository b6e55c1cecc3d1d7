#include "schedule/posix_tz.h"

#include <gtest/gtest.h>

#include "schedule/civil.h"

namespace nightshift::schedule {
namespace {

int64_t Utc(int64_t y, int m, int d, int h, int min = 0) {
  return civil::ToSeconds({y, m, d}, h, min, 0);
}

TEST(PosixTzTest, EuropeanRule) {
  const auto tz = PosixTz::Parse("CET-1CEST,M3.5.0,M10.5.0/3");
  ASSERT_TRUE(tz);
  EXPECT_EQ(tz->std_offset(), 3600);
  const auto t = tz->TransitionsIn(2045);
  EXPECT_EQ(t[0].at, Utc(2045, 3, 26, 1));  // 02:00 CET
  EXPECT_EQ(t[0].offset, 7200);
  EXPECT_EQ(t[1].at, Utc(2045, 10, 29, 1));  // 03:00 CEST
  EXPECT_EQ(t[1].offset, 3600);
}

TEST(PosixTzTest, SouthernHemisphereAndHalfHours) {
  const auto tz = PosixTz::Parse("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0");
  ASSERT_TRUE(tz);
  const auto t = tz->TransitionsIn(2040);
  // April 1, 2040 is a Sunday: 02:00 +11 ends DST; October 7 02:00 +10:30 starts it.
  EXPECT_EQ(t[0].at, Utc(2040, 3, 31, 15));
  EXPECT_EQ(t[0].offset, 37800);
  EXPECT_EQ(t[1].at, Utc(2040, 10, 6, 15, 30));
  EXPECT_EQ(t[1].offset, 39600);
}

TEST(PosixTzTest, JulianZeroBasedAndExtendedTimes) {
  // RFC 8536's example of DST all year: EST5EDT,0/0,J365/25.
  const auto all_year = PosixTz::Parse("EST5EDT,0/0,J365/25");
  ASSERT_TRUE(all_year);
  const auto t = all_year->TransitionsIn(2041);
  EXPECT_EQ(t[0].at, Utc(2041, 1, 1, 5));
  EXPECT_EQ(t[1].at, Utc(2042, 1, 1, 5));
  // Jn never counts February 29; n does.
  const auto julian = PosixTz::Parse("AAA0BBB,J60/0,300/-1");
  ASSERT_TRUE(julian);
  EXPECT_EQ(julian->TransitionsIn(2040)[0].at, Utc(2040, 3, 1, 0));
  EXPECT_EQ(julian->TransitionsIn(2040)[1].at, Utc(2040, 10, 27, 0) - 3600 - 3600);
}

TEST(PosixTzTest, FixedOffsetsAndRejects) {
  const auto kathmandu = PosixTz::Parse("<+0545>-5:45");
  ASSERT_TRUE(kathmandu);
  EXPECT_EQ(kathmandu->std_offset(), 5 * 3600 + 45 * 60);
  EXPECT_FALSE(kathmandu->has_dst());
  EXPECT_EQ(PosixTz::Parse("EST5")->std_offset(), -5 * 3600);
  for (const char* bad : {"", "E5", "EST", "EST5EDT", "EST5EDT,M3.2.0", "EST5EDT,M13.1.0,M1.1.0",
                          "EST5EDT,M3.6.0,M11.1.0", "EST5EDT,M3.2.0,M11.1.0/200", "<+05-5"}) {
    EXPECT_FALSE(PosixTz::Parse(bad)) << bad;
  }
}

}  // namespace
}  // namespace nightshift::schedule
