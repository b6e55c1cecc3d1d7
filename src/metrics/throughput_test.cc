#include "metrics/throughput.h"

#include <gtest/gtest.h>

namespace nightshift::metrics {
namespace {

constexpr TimeMs kMinute = 60'000;
constexpr TimeMs kT0 = 1'700'000'000'000 / kMinute * kMinute;  // a whole minute

TEST(ThroughputTest, CountsEndsPerMinuteOldestFirst) {
  Throughput t;
  t.Note(kT0 + 1, true);
  t.Note(kT0 + 59'999, false);
  t.Note(kT0 + kMinute, true);
  std::vector<Throughput::Minute> recent = t.Recent(kT0 + kMinute + 5);
  ASSERT_EQ(recent.size(), size_t{Throughput::kMinutes});
  EXPECT_EQ(recent.back().start, kT0 + kMinute);
  EXPECT_EQ(recent.back().succeeded, 1);
  EXPECT_EQ(recent[recent.size() - 2].start, kT0);
  EXPECT_EQ(recent[recent.size() - 2].succeeded, 1);
  EXPECT_EQ(recent[recent.size() - 2].failed, 1);
  EXPECT_EQ(recent.front().succeeded + recent.front().failed, 0);
}

TEST(ThroughputTest, ForgetsMinutesThatLeftTheWindow) {
  Throughput t;
  t.Note(kT0, true);
  t.Note(kT0 + Throughput::kMinutes * kMinute, false);  // reuses kT0's slot
  std::vector<Throughput::Minute> recent = t.Recent(kT0 + Throughput::kMinutes * kMinute);
  int succeeded = 0, failed = 0;
  for (const auto& m : recent) {
    succeeded += m.succeeded;
    failed += m.failed;
  }
  EXPECT_EQ(succeeded, 0);
  EXPECT_EQ(failed, 1);
}

TEST(ThroughputTest, DropsAnEndOlderThanTheWindow) {
  Throughput t;
  t.Note(kT0 + Throughput::kMinutes * kMinute, true);
  t.Note(kT0, false);  // late, and out of the window: must not clobber the newest minute's slot
  std::vector<Throughput::Minute> recent = t.Recent(kT0 + Throughput::kMinutes * kMinute);
  EXPECT_EQ(recent.back().succeeded, 1);
  EXPECT_EQ(recent.back().failed, 0);
}

}  // namespace
}  // namespace nightshift::metrics
