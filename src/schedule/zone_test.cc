#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "schedule/timetable.h"
#include "schedule/timetable_test_util.h"

namespace nightshift::schedule {
namespace {

TEST(ZoneTest, RejectsUnknownNamesAndPathTricks) {
  for (const char* name : {"Mars/Olympus", "../etc/passwd", "/usr/share/zoneinfo/UTC",
                           "Europe/../Europe/Berlin", "", "Europe//Berlin", "right/UTC"}) {
    Result<Zone> zone = Zone::Load(name);
    ASSERT_FALSE(zone.ok()) << name;
    EXPECT_EQ(zone.status().message(), "unknown time zone '" + std::string(name) + "'");
  }
}

TEST(ZoneTest, OffsetsBeforeAndAfter2037) {
  const Zone berlin = LoadZone("Europe/Berlin");
  EXPECT_EQ(berlin.name(), "Europe/Berlin");
  EXPECT_EQ(berlin.OffsetAt(At("2026-07-01T00:00:00Z")), 7200);
  EXPECT_EQ(berlin.OffsetAt(At("2026-01-01T00:00:00Z")), 3600);
  // date alone says +01:00 here; the footer rule knows better.
  EXPECT_EQ(berlin.OffsetAt(At("2040-07-01T10:00:00Z")), 7200);
  EXPECT_EQ(berlin.OffsetAt(At("2045-03-26T00:59:59Z")), 3600);
  EXPECT_EQ(berlin.OffsetAt(At("2045-03-26T01:00:00Z")), 7200);
  EXPECT_EQ(berlin.OffsetAt(At("2045-10-29T00:59:59Z")), 7200);
  EXPECT_EQ(berlin.OffsetAt(At("2045-10-29T01:00:00Z")), 3600);
  EXPECT_EQ(berlin.OffsetAt(At("9999-07-01T00:00:00Z")), 7200);
  const Zone new_york = LoadZone("America/New_York");
  EXPECT_EQ(new_york.OffsetAt(At("2050-07-04T12:00:00Z")), -4 * 3600);
  EXPECT_EQ(new_york.OffsetAt(At("2050-12-25T12:00:00Z")), -5 * 3600);
  EXPECT_EQ(LoadZone("Asia/Kathmandu").OffsetAt(At("2060-01-01T00:00:00Z")), 20700);
  EXPECT_EQ(Zone::Utc().OffsetAt(At("2060-01-01T00:00:00Z")), 0);
}

TEST(ZoneTest, CopiesShareOneImmutableRepresentation) {
  const Zone a = LoadZone("Australia/Lord_Howe");
  const Zone b = a;
  EXPECT_EQ(&a.name(), &b.name());
  EXPECT_EQ(b.OffsetAt(At("2026-01-01T00:00:00Z")), 11 * 3600);
  EXPECT_EQ(b.OffsetAt(At("2026-07-01T00:00:00Z")), 10 * 3600 + 1800);
}

// 100,000 schedules in one zone used to hold 100,000 copies of its transitions, each read from
// the zone file again.
TEST(ZoneTest, LoadingAZoneAgainSharesTheFirstRepresentation) {
  const Zone first = LoadZone("America/New_York");
  const Zone again = LoadZone("America/New_York");
  EXPECT_EQ(&first.name(), &again.name());
  EXPECT_NE(&first.name(), &LoadZone("Europe/Berlin").name());
  EXPECT_EQ(again.OffsetAt(At("2026-07-04T12:00:00Z")), -4 * 3600);
}

TEST(ZoneTest, ConcurrentLoadsShareOneRepresentation) {
  std::vector<Zone> zones(4, Zone::Utc());
  std::vector<std::thread> threads;
  for (Zone& zone : zones) threads.emplace_back([&zone] { zone = LoadZone("Asia/Kathmandu"); });
  for (std::thread& t : threads) t.join();
  for (const Zone& zone : zones) EXPECT_EQ(&zone.name(), &zones[0].name());
  EXPECT_EQ(zones[0].name(), "Asia/Kathmandu");
}

}  // namespace
}  // namespace nightshift::schedule
