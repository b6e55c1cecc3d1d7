#include <gtest/gtest.h>

#include "schedule/timetable.h"
#include "schedule/timetable_test_util.h"

namespace nightshift::schedule {
namespace {

TEST(Rfc3339Test, FormatsWithTheZonesOffset) {
  const TimeMs t = 1774746000000;  // 2026-03-29T01:00:00Z
  EXPECT_EQ(FormatRfc3339(t, Zone::Utc()), "2026-03-29T01:00:00+00:00");
  EXPECT_EQ(FormatRfc3339(t, LoadZone("Europe/Berlin")), "2026-03-29T03:00:00+02:00");
  EXPECT_EQ(FormatRfc3339(t - 1, LoadZone("Europe/Berlin")), "2026-03-29T01:59:59.999+01:00");
  EXPECT_EQ(FormatRfc3339(t, LoadZone("America/New_York")), "2026-03-28T21:00:00-04:00");
  EXPECT_EQ(FormatRfc3339(t, LoadZone("Asia/Kathmandu")), "2026-03-29T06:45:00+05:45");
  EXPECT_EQ(FormatRfc3339(-1000, Zone::Utc()), "1969-12-31T23:59:59+00:00");
}

TEST(Rfc3339Test, ParsesOffsetsFractionsAndZ) {
  EXPECT_EQ(*ParseRfc3339("2026-03-29T03:00:00+02:00"), 1774746000000);
  EXPECT_EQ(*ParseRfc3339("2026-03-29t01:00:00z"), 1774746000000);
  EXPECT_EQ(*ParseRfc3339("2026-03-28 21:00:00-04:00"), 1774746000000);
  EXPECT_EQ(*ParseRfc3339("2026-03-29T01:00:00.5Z"), 1774746000500);
  EXPECT_EQ(*ParseRfc3339("2026-03-29T01:00:00.123456Z"), 1774746000123);
}

TEST(Rfc3339Test, RejectsWhatIsNotRfc3339) {
  for (const char* bad : {"2026-03-29", "2026-03-29T01:00:00", "2026-02-29T00:00:00Z",
                          "2026-03-29T24:00:00Z", "2026-03-29T01:00:00+2:00",
                          "2026-03-29T01:00:00Zjunk", "2026-03-29T01:00:00.Z", "tomorrow"}) {
    Result<TimeMs> t = ParseRfc3339(bad);
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_NE(t.status().message().find("is not RFC 3339"), std::string::npos);
  }
}

}  // namespace
}  // namespace nightshift::schedule
