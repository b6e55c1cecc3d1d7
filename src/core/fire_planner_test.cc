#include "core/fire_planner.h"

#include <gtest/gtest.h>

namespace nightshift::core {
namespace {

constexpr TimeMs kMinute = 60'000;
constexpr TimeMs kHour = 60 * kMinute;
constexpr TimeMs kMidnight = 1'798'761'600'000;  // 2027-01-01T00:00:00Z

schedule::Timetable Hourly() {
  auto expr = schedule::Expression::Parse("0 * * * *");
  EXPECT_TRUE(expr.ok()) << expr.status().ToString();
  auto tt = schedule::Timetable::Create(*expr, schedule::Zone::Utc(), {}, kMidnight);
  EXPECT_TRUE(tt.ok()) << tt.status().ToString();
  return *tt;
}

Schedule MakeSchedule(CatchUpPolicy catch_up = CatchUpPolicy::kLatest,
                      OverlapPolicy overlap = OverlapPolicy::kSkip) {
  Schedule s;
  s.name = "nightly";
  s.expression = "0 * * * *";
  s.catch_up = catch_up;
  s.overlap = overlap;
  s.cursor = kMidnight - 30 * kMinute;  // created at 23:30
  return s;
}

// The plan as "outcome@hour xcount" strings, hours since kMidnight, for compact expectations.
std::vector<std::string> Summary(const FirePlan& plan) {
  std::vector<std::string> out;
  for (const Fire& f : plan.records) {
    std::string line = std::string(Name(f.outcome)) + "@" + std::to_string((f.logical_time - kMidnight) / kHour);
    if (f.count > 1) line += "x" + std::to_string(f.count);
    out.push_back(line);
  }
  return out;
}

TEST(FirePlannerTest, OnTimeFireStartsAndAdvancesTheCursor) {
  Schedule s = MakeSchedule();
  auto tt = Hourly();
  EXPECT_EQ(NextDue(s, tt), kMidnight);
  EXPECT_TRUE(PlanDue(s, tt, kMidnight - 1).records.empty());

  FirePlan plan = PlanDue(s, tt, kMidnight + 3);
  EXPECT_EQ(Summary(plan), (std::vector<std::string>{"started@0"}));
  EXPECT_EQ(plan.records[0].lateness_ms(), 3);
  EXPECT_EQ(plan.records[0].schedule, "default/nightly");
  EXPECT_EQ(s.cursor, kMidnight);
  EXPECT_EQ(NextDue(s, tt), kMidnight + kHour);
  EXPECT_TRUE(PlanDue(s, tt, kMidnight + 10).records.empty()) << "a fire is decided once";
}

TEST(FirePlannerTest, CatchUpNoneSkipsMissedFiresInOneRecordAndRunsTheOnTimeOne) {
  Schedule s = MakeSchedule(CatchUpPolicy::kNone);
  FirePlan plan = PlanDue(s, Hourly(), kMidnight + 3 * kHour + 30'000);
  EXPECT_EQ(Summary(plan), (std::vector<std::string>{"skipped@0x3", "started@3"}));
  EXPECT_EQ(plan.records[0].last_logical_time, kMidnight + 2 * kHour);
  EXPECT_NE(plan.records[0].reason.find("catch-up none"), std::string::npos) << plan.records[0].reason;
}

TEST(FirePlannerTest, CatchUpLatestRunsTheLastMissedFireAndMergesTheOthers) {
  Schedule s = MakeSchedule(CatchUpPolicy::kLatest);
  FirePlan plan = PlanDue(s, Hourly(), kMidnight + 2 * kHour + 30 * kMinute);
  EXPECT_EQ(Summary(plan), (std::vector<std::string>{"merged@0x2", "started@2"}));
  EXPECT_NE(plan.records[0].reason.find("merged into the fire of 2027-01-01T02:00:00+00:00"), std::string::npos)
      << plan.records[0].reason;
  EXPECT_NE(plan.records[1].reason.find("caught up 30 min late"), std::string::npos) << plan.records[1].reason;
}

TEST(FirePlannerTest, CatchUpLatestMergesMissedFiresIntoAnOnTimeFire) {
  Schedule s = MakeSchedule(CatchUpPolicy::kLatest);
  FirePlan plan = PlanDue(s, Hourly(), kMidnight + 2 * kHour + 5'000);
  EXPECT_EQ(Summary(plan), (std::vector<std::string>{"merged@0x2", "started@2"}));
  EXPECT_EQ(plan.records[1].reason, "") << "an on-time fire is not a catch-up";
}

TEST(FirePlannerTest, CatchUpAllRunsMissedFiresWithinTheWindowThroughTheOverlapPolicy) {
  Schedule s = MakeSchedule(CatchUpPolicy::kAll, OverlapPolicy::kAllowAll);
  s.catch_up_window_ms = 90 * kMinute;
  FirePlan plan = PlanDue(s, Hourly(), kMidnight + 2 * kHour + 30 * kMinute);
  EXPECT_EQ(Summary(plan), (std::vector<std::string>{"skipped@0", "started@1", "started@2"}));
  EXPECT_NE(plan.records[0].reason.find("older than the catch-up window"), std::string::npos);

  Schedule serial = MakeSchedule(CatchUpPolicy::kAll, OverlapPolicy::kBufferAll);
  FirePlan buffered = PlanDue(serial, Hourly(), kMidnight + 2 * kHour + 30 * kMinute);
  EXPECT_EQ(Summary(buffered), (std::vector<std::string>{"started@0", "buffered@1", "buffered@2"}));
  EXPECT_EQ(serial.buffered.size(), 2u);
}

TEST(FirePlannerTest, OverlapSkipNamesTheActiveRun) {
  Schedule s = MakeSchedule();
  s.active_runs = {"job-1"};
  FirePlan plan = PlanDue(s, Hourly(), kMidnight);
  EXPECT_EQ(Summary(plan), (std::vector<std::string>{"skipped@0"}));
  EXPECT_EQ(plan.records[0].reason, "the previous run (job job-1) was still active (overlap skip)");
}

TEST(FirePlannerTest, OverlapBufferOneKeepsOnlyTheNewestWaitingFire) {
  Schedule s = MakeSchedule(CatchUpPolicy::kLatest, OverlapPolicy::kBufferOne);
  auto tt = Hourly();
  s.active_runs = {"job-1"};
  EXPECT_EQ(Summary(PlanDue(s, tt, kMidnight)), (std::vector<std::string>{"buffered@0"}));
  FirePlan second = PlanDue(s, tt, kMidnight + kHour);
  EXPECT_EQ(Summary(second), (std::vector<std::string>{"merged@0", "buffered@1"}));
  ASSERT_EQ(s.buffered.size(), 1u);
  EXPECT_EQ(s.buffered[0].logical_time, kMidnight + kHour);

  EXPECT_TRUE(StartBuffered(s, tt, kMidnight + kHour + 5).records.empty()) << "the run is still active";
  s.active_runs.clear();
  FirePlan started = StartBuffered(s, tt, kMidnight + 2 * kHour - 1);
  EXPECT_EQ(Summary(started), (std::vector<std::string>{"started@1"}));
  EXPECT_EQ(started.records[0].lateness_ms(), kHour - 1);
  EXPECT_TRUE(s.buffered.empty());
}

TEST(FirePlannerTest, OverlapBufferAllStartsWaitingFiresOneAtATime) {
  Schedule s = MakeSchedule(CatchUpPolicy::kLatest, OverlapPolicy::kBufferAll);
  auto tt = Hourly();
  s.active_runs = {"job-1"};
  PlanDue(s, tt, kMidnight);
  PlanDue(s, tt, kMidnight + kHour);
  ASSERT_EQ(s.buffered.size(), 2u);
  s.active_runs.clear();
  EXPECT_EQ(Summary(StartBuffered(s, tt, kMidnight + kHour + 1)), (std::vector<std::string>{"started@0"}));
  s.active_runs = {"job-2"};
  EXPECT_TRUE(StartBuffered(s, tt, kMidnight + kHour + 2).records.empty());
  s.active_runs.clear();
  EXPECT_EQ(Summary(StartBuffered(s, tt, kMidnight + kHour + 3)), (std::vector<std::string>{"started@1"}));
}

TEST(FirePlannerTest, OverlapCancelOtherStopsTheActiveRunAndWaitsForIt) {
  Schedule s = MakeSchedule(CatchUpPolicy::kLatest, OverlapPolicy::kCancelOther);
  s.active_runs = {"job-1"};
  FirePlan plan = PlanDue(s, Hourly(), kMidnight);
  EXPECT_EQ(Summary(plan), (std::vector<std::string>{"buffered@0"}));
  EXPECT_EQ(plan.terminate_runs, (std::vector<std::string>{"job-1"}));
}

TEST(FirePlannerTest, OverlapTerminateOtherStopsTheActiveRunAndStartsAtOnce) {
  Schedule s = MakeSchedule(CatchUpPolicy::kLatest, OverlapPolicy::kTerminateOther);
  s.active_runs = {"job-1"};
  FirePlan plan = PlanDue(s, Hourly(), kMidnight);
  EXPECT_EQ(Summary(plan), (std::vector<std::string>{"started@0"}));
  EXPECT_EQ(plan.terminate_runs, (std::vector<std::string>{"job-1"}));
  EXPECT_NE(plan.records[0].reason.find("terminated the previous run (job job-1)"), std::string::npos);
}

TEST(FirePlannerTest, TerminateOtherWithinOnePlanDoesNotStartWhatItWouldKill) {
  Schedule s = MakeSchedule(CatchUpPolicy::kAll, OverlapPolicy::kTerminateOther);
  FirePlan plan = PlanDue(s, Hourly(), kMidnight + kHour + 5 * kMinute);
  EXPECT_EQ(Summary(plan), (std::vector<std::string>{"merged@0", "started@1"}));
  EXPECT_TRUE(plan.terminate_runs.empty());
}

TEST(FirePlannerTest, JitterIsDeterministicAndWithinTheWindow) {
  Schedule s = MakeSchedule();
  EXPECT_EQ(JitterMs(s, kMidnight), 0);
  s.flexible_window_minutes = 15;
  bool varies = false;
  for (int h = 0; h < 48; ++h) {
    const TimeMs t = kMidnight + h * kHour;
    const TimeMs j = JitterMs(s, t);
    EXPECT_GE(j, 0);
    EXPECT_LT(j, 15 * kMinute);
    EXPECT_EQ(j, JitterMs(s, t)) << "a restart must not move a fire";
    varies |= j != JitterMs(s, kMidnight);
  }
  EXPECT_TRUE(varies);
  auto tt = Hourly();
  EXPECT_EQ(NextDue(s, tt), kMidnight + JitterMs(s, kMidnight));
  EXPECT_TRUE(PlanDue(s, tt, DueTime(s, kMidnight) - 1).records.empty());
  EXPECT_EQ(PlanDue(s, tt, DueTime(s, kMidnight)).records.size(), 1u);
}

TEST(FirePlannerTest, PausedFiresAreRecordedAsSkippedOnResume) {
  Schedule s = MakeSchedule();
  auto tt = Hourly();
  Pause(s, "maintenance", kMidnight - kMinute);
  EXPECT_EQ(NextDue(s, tt), std::nullopt);
  EXPECT_TRUE(PlanDue(s, tt, kMidnight + 3 * kHour).records.empty());
  FirePlan plan = Resume(s, tt, "done", kMidnight + 3 * kHour + 1);
  EXPECT_EQ(Summary(plan), (std::vector<std::string>{"skipped@0x4"}));
  EXPECT_EQ(plan.records[0].reason, "the schedule was paused (maintenance)");
  EXPECT_EQ(s.state, ScheduleState::kEnabled);
  EXPECT_EQ(NextDue(s, tt), kMidnight + 4 * kHour);
}

TEST(FirePlannerTest, BackfillSkipsFiresAlreadyMadeAndRunsTheRestSerially) {
  Schedule s = MakeSchedule();
  FirePlan plan = Backfill(s, Hourly(), kMidnight - 5 * kHour, kMidnight - 2 * kHour, OverlapPolicy::kBufferAll,
                           kMidnight, [](TimeMs t) { return t == kMidnight - 4 * kHour; });
  EXPECT_EQ(Summary(plan), (std::vector<std::string>{"started@-5", "buffered@-3", "buffered@-2"}));
  for (const Fire& f : plan.records) EXPECT_EQ(f.trigger, FireTrigger::kBackfill);
}

TEST(FirePlannerTest, MaxActiveRunsBoundsHowManyFiresRunTogether) {
  Schedule s = MakeSchedule();
  s.max_active_runs = 2;
  auto tt = Hourly();
  FirePlan plan = Backfill(s, tt, kMidnight - 5 * kHour, kMidnight - kHour, OverlapPolicy::kBufferAll, kMidnight,
                           [](TimeMs) { return false; });
  EXPECT_EQ(Summary(plan), (std::vector<std::string>{"started@-5", "started@-4", "buffered@-3", "buffered@-2",
                                                     "buffered@-1"}));
  s.active_runs = {"job-1", "job-2"};
  EXPECT_TRUE(StartBuffered(s, tt, kMidnight + 1).records.empty()) << "both slots are taken";
  s.active_runs = {"job-2"};
  EXPECT_EQ(Summary(StartBuffered(s, tt, kMidnight + 2)), std::vector<std::string>{"started@-3"});
  s.active_runs.clear();
  EXPECT_EQ(Summary(StartBuffered(s, tt, kMidnight + 3)), (std::vector<std::string>{"started@-2", "started@-1"}));
  EXPECT_TRUE(s.buffered.empty());
}

TEST(FirePlannerTest, ManualTriggerGoesThroughTheOverlapPolicy) {
  Schedule s = MakeSchedule();
  auto tt = Hourly();
  EXPECT_EQ(Summary(Trigger(s, tt, kMidnight + 7, FireTrigger::kManual, OverlapPolicy::kSkip, kMidnight + 7)),
            (std::vector<std::string>{"started@0"}));
  s.active_runs = {"job-1"};
  EXPECT_EQ(Summary(Trigger(s, tt, kMidnight + 8, FireTrigger::kManual, OverlapPolicy::kSkip, kMidnight + 8)),
            (std::vector<std::string>{"skipped@0"}));
  EXPECT_EQ(Summary(Trigger(s, tt, kMidnight + 9, FireTrigger::kManual, OverlapPolicy::kAllowAll, kMidnight + 9)),
            (std::vector<std::string>{"started@0"}));
}

TEST(FirePlannerTest, StartAndEndDatesBoundTheFires) {
  Schedule s = MakeSchedule();
  s.start_date = kMidnight + 2 * kHour + 1;
  s.end_date = kMidnight + 4 * kHour;
  auto tt = Hourly();
  EXPECT_EQ(NextLogicalTime(s, tt), kMidnight + 3 * kHour);
  EXPECT_EQ(Summary(PlanDue(s, tt, kMidnight + 10 * kHour)), (std::vector<std::string>{"merged@3", "started@4"}));
  EXPECT_EQ(NextLogicalTime(s, tt), std::nullopt);
  EXPECT_TRUE(Completed(s, tt));
}

TEST(FirePlannerTest, AnAtScheduleCompletesAfterItsOneFire) {
  auto expr = schedule::Expression::Parse("at(2027-01-01T05:00:00)");
  ASSERT_TRUE(expr.ok()) << expr.status().ToString();
  auto tt = schedule::Timetable::Create(*expr, schedule::Zone::Utc(), {}, kMidnight);
  ASSERT_TRUE(tt.ok()) << tt.status().ToString();
  Schedule s = MakeSchedule();
  EXPECT_FALSE(Completed(s, *tt));
  EXPECT_EQ(Summary(PlanDue(s, *tt, kMidnight + 5 * kHour)), (std::vector<std::string>{"started@5"}));
  EXPECT_TRUE(Completed(s, *tt));
}

}  // namespace
}  // namespace nightshift::core
