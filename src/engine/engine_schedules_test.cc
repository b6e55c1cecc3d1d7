// The engine's schedule runtime with a fake clock: fires submit jobs in the same commit as their
// records, crashes neither lose nor double a fire, downtime is caught up by policy, overlap
// policies follow the runs' real ends, and pause, jitter and ActionAfterCompletion hold across
// the loop.
#include <gtest/gtest.h>

#include "engine/engine_test_fixture.h"

namespace nightshift::engine {
namespace {

constexpr TimeMs kMinute = 60'000;
constexpr TimeMs kHour = 60 * kMinute;
class EngineScheduleTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    clock_.Set(kMidnight - 30 * kMinute);
    RegisterDefinition();
    Drain();
  }

  // Fires submit a job named after the schedule, as the API's SubmitJob target does.
  void Configure(Engine& engine) override {
    engine.SetScheduleTargetStarter([&engine](const core::Schedule& s, const core::Fire&) -> Result<std::string> {
      SubmitJobRequest r;
      r.job_name = s.name;
      r.job_queue = "default";
      r.job_definition = "def";
      Result<core::Job> job = engine.SubmitJob(r);
      if (!job.ok()) return job.status();
      return job->id;
    });
  }

  core::Schedule Create(const std::string& name, const std::string& expression,
                        core::OverlapPolicy overlap = core::OverlapPolicy::kSkip) {
    core::Schedule s;
    s.name = name;
    s.expression = expression;
    s.overlap = overlap;
    s.target.arn = std::string(core::kSubmitJobTargetArn);
    s.target.input = "{}";
    Result<core::Schedule> created = engine_->CreateSchedule(s);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    Drain();
    return created.ok() ? *created : s;
  }

  // Moves the fake clock and lets the engine take a turn, as its timer would.
  void AdvanceTo(TimeMs t) {
    clock_.Set(t);
    engine_->WhenDurable([](Status) {});
    Drain();
  }

  std::vector<core::Fire> History(const std::string& name) {
    store::FireQuery q;
    q.schedule = core::ScheduleKey("default", name);
    q.limit = 1000;
    Result<store::FirePage> page = store_->ListFires(q);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    std::vector<core::Fire> fires = page.ok() ? page->fires : std::vector<core::Fire>{};
    std::reverse(fires.begin(), fires.end());  // oldest first reads better in expectations
    return fires;
  }

  // "outcome@hour[xcount]" per record, oldest first; hours since kMidnight.
  std::vector<std::string> Summary(const std::string& name) {
    std::vector<std::string> out;
    for (const core::Fire& f : History(name)) {
      std::string line = std::string(core::Name(f.outcome)) + "@" + std::to_string((f.logical_time - kMidnight) / kHour);
      if (f.count > 1) line += "x" + std::to_string(f.count);
      out.push_back(line);
    }
    return out;
  }

  // Committed jobs named `name`, any state.
  std::vector<core::Job> Jobs(const std::string& name) {
    store::JobQuery q;
    q.queue = "default";
    q.name_pattern = name;
    q.limit = 1000;
    Result<store::JobPage> page = store_->ListJobs(q);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? page->jobs : std::vector<core::Job>{};
  }
};

TEST_F(EngineScheduleTest, AFireSubmitsItsJobInTheSameCommitAsItsRecord) {
  Create("hourly", "0 * * * *");
  AdvanceTo(kMidnight - 1);
  EXPECT_TRUE(History("hourly").empty());
  AdvanceTo(kMidnight + 4);
  std::vector<core::Fire> fires = History("hourly");
  ASSERT_EQ(fires.size(), 1u);
  EXPECT_EQ(fires[0].outcome, core::FireOutcome::kStarted);
  EXPECT_EQ(fires[0].lateness_ms(), 4);
  std::vector<core::Job> jobs = Jobs("hourly");
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].id, fires[0].run_id);
  EXPECT_EQ(executor_->launched().size(), 1u) << "the fire's job is dispatched in the same turn";
  EXPECT_EQ(engine_->FindSchedule("default", "hourly")->active_runs, std::vector<std::string>{jobs[0].id});
}

TEST_F(EngineScheduleTest, ACrashBeforeTheCommitNeitherLosesNorDoublesTheFire) {
  Create("hourly", "0 * * * *");
  flaky_->set_fail_commits(true);
  AdvanceTo(kMidnight + 1);  // decided in memory; the commit fails; then the server dies
  EXPECT_TRUE(History("hourly").empty());
  EXPECT_TRUE(Jobs("hourly").empty());
  EXPECT_TRUE(executor_->launched().empty()) << "nothing runs before it is committed";

  clock_.Set(kMidnight + 2'000);
  OpenAndStart();  // restart: the fire is still due, and on time
  EXPECT_EQ(Summary("hourly"), std::vector<std::string>{"started@0"});
  ASSERT_EQ(Jobs("hourly").size(), 1u);

  OpenAndStart();  // a crash after the commit: nothing is fired again
  AdvanceTo(kMidnight + 3'000);
  EXPECT_EQ(Summary("hourly"), std::vector<std::string>{"started@0"});
  EXPECT_EQ(Jobs("hourly").size(), 1u);
}

TEST_F(EngineScheduleTest, DowntimeIsCaughtUpByTheLatestPolicyAfterARestart) {
  Create("hourly", "0 * * * *", core::OverlapPolicy::kAllowAll);
  clock_.Set(kMidnight + 3 * kHour + 30 * kMinute);
  OpenAndStart();
  EXPECT_EQ(Summary("hourly"), (std::vector<std::string>{"merged@0x3", "started@3"}));
  EXPECT_EQ(Jobs("hourly").size(), 1u);
  EXPECT_EQ(engine_->NextDue(*engine_->FindSchedule("default", "hourly")), kMidnight + 4 * kHour);
}

TEST_F(EngineScheduleTest, BufferOneStartsTheWaitingFireWhenTheRunEnds) {
  Create("hourly", "0 * * * *", core::OverlapPolicy::kBufferOne);
  AdvanceTo(kMidnight);
  ASSERT_EQ(executor_->launched().size(), 1u);
  const std::string first = executor_->launched()[0].key.job_id;
  AdvanceTo(kMidnight + kHour);
  EXPECT_EQ(Summary("hourly"), (std::vector<std::string>{"started@0", "buffered@1"}));
  EXPECT_EQ(executor_->launched().size(), 1u);

  clock_.Set(kMidnight + kHour + 7 * kMinute);
  executor_->Exit({first, 1}, 0);
  Drain();
  EXPECT_EQ(Summary("hourly"), (std::vector<std::string>{"started@0", "started@1"}));
  ASSERT_EQ(executor_->launched().size(), 2u);
  EXPECT_EQ(History("hourly")[1].lateness_ms(), 7 * kMinute);
}

TEST_F(EngineScheduleTest, BufferedFiresAndActiveRunsSurviveARestart) {
  Create("hourly", "0 * * * *", core::OverlapPolicy::kBufferAll);
  AdvanceTo(kMidnight);
  const std::string first = executor_->launched()[0].key.job_id;
  AdvanceTo(kMidnight + kHour);
  OpenAndStart();  // the first job is re-adopted as running
  EXPECT_EQ(engine_->FindSchedule("default", "hourly")->active_runs, std::vector<std::string>{first});
  ASSERT_EQ(engine_->FindSchedule("default", "hourly")->buffered.size(), 1u);
  executor_->Exit({first, 1}, 0);
  Drain();
  EXPECT_EQ(Summary("hourly"), (std::vector<std::string>{"started@0", "started@1"}));
}

TEST_F(EngineScheduleTest, TerminateOtherStopsTheRunningJobAndStartsTheNewOne) {
  Create("hourly", "0 * * * *", core::OverlapPolicy::kTerminateOther);
  AdvanceTo(kMidnight);
  const std::string first = executor_->launched()[0].key.job_id;
  AdvanceTo(kMidnight + kHour);
  ASSERT_EQ(executor_->terminated().size(), 1u);
  EXPECT_EQ(executor_->terminated()[0].job_id, first);
  EXPECT_EQ(executor_->launched().size(), 2u);
}

TEST_F(EngineScheduleTest, PausedFiresAreSkippedAndRecordedOnResume) {
  Create("hourly", "0 * * * *");
  ASSERT_TRUE(engine_->PauseSchedule("default", "hourly", "maintenance").ok());
  AdvanceTo(kMidnight + 2 * kHour + 30 * kMinute);
  EXPECT_TRUE(Jobs("hourly").empty());
  ASSERT_TRUE(engine_->ResumeSchedule("default", "hourly", "").ok());
  Drain();
  EXPECT_EQ(Summary("hourly"), std::vector<std::string>{"skipped@0x3"});
  EXPECT_EQ(History("hourly")[0].reason, "the schedule was paused (maintenance)");
  AdvanceTo(kMidnight + 3 * kHour);
  EXPECT_EQ(Summary("hourly"), (std::vector<std::string>{"skipped@0x3", "started@3"}));
}

TEST_F(EngineScheduleTest, EnablingADisabledScheduleByUpdateIsAResume) {
  core::Schedule s = Create("hourly", "0 * * * *");
  s.state = core::ScheduleState::kDisabled;
  ASSERT_TRUE(engine_->UpdateSchedule(s).ok());
  AdvanceTo(kMidnight + kHour + 30 * kMinute);
  s.state = core::ScheduleState::kEnabled;
  ASSERT_TRUE(engine_->UpdateSchedule(s).ok());
  Drain();
  EXPECT_EQ(Summary("hourly"), std::vector<std::string>{"skipped@0x2"}) << "not caught up";
  EXPECT_TRUE(Jobs("hourly").empty());
}

TEST_F(EngineScheduleTest, JitterDelaysTheFireByItsDeterministicAmount) {
  core::Schedule s;
  s.name = "jittery";
  s.expression = "0 * * * *";
  s.flexible_window_minutes = 30;
  s.target.arn = std::string(core::kSubmitJobTargetArn);
  ASSERT_TRUE(engine_->CreateSchedule(s).ok());
  Drain();
  const TimeMs due = *engine_->NextDue(*engine_->FindSchedule("default", "jittery"));
  ASSERT_GT(due, kMidnight);
  ASSERT_LT(due, kMidnight + 30 * kMinute);
  AdvanceTo(due - 1);
  EXPECT_TRUE(History("jittery").empty());
  OpenAndStart();  // a restart does not move it
  EXPECT_EQ(*engine_->NextDue(*engine_->FindSchedule("default", "jittery")), due);
  AdvanceTo(due);
  ASSERT_EQ(History("jittery").size(), 1u);
  EXPECT_EQ(History("jittery")[0].due_time, due);
  EXPECT_EQ(History("jittery")[0].logical_time, kMidnight);
}

TEST_F(EngineScheduleTest, AnAtScheduleWithDeleteIsDeletedWhenItsRunEnds) {
  core::Schedule s;
  s.name = "once";
  s.expression = "at(2027-01-01T00:00:00)";
  s.after_completion = core::AfterCompletion::kDelete;
  s.target.arn = std::string(core::kSubmitJobTargetArn);
  ASSERT_TRUE(engine_->CreateSchedule(s).ok());
  Drain();
  AdvanceTo(kMidnight);
  ASSERT_EQ(executor_->launched().size(), 1u);
  ASSERT_NE(engine_->FindSchedule("default", "once"), nullptr) << "kept while its run is active";
  executor_->Exit({executor_->launched()[0].key.job_id, 1}, 0);
  Drain();
  EXPECT_EQ(engine_->FindSchedule("default", "once"), nullptr);
  auto snapshot = store_->Load();
  ASSERT_TRUE(snapshot.ok());
  EXPECT_TRUE(snapshot->schedules.empty());
}

TEST_F(EngineScheduleTest, InvalidSchedulesChangeNothing) {
  core::Schedule s;
  s.name = "bad";
  s.target.arn = std::string(core::kSubmitJobTargetArn);
  for (const char* expression : {"0 25 * * *", "0 0 30 2 *", "at(2020-01-01T00:00:00)", "rate(0 minutes)"}) {
    s.expression = expression;
    Result<core::Schedule> created = engine_->CreateSchedule(s);
    EXPECT_EQ(created.status().code(), StatusCode::kInvalidArgument) << expression;
  }
  s.expression = "0 * * * *";
  s.timezone = "Nowhere/Town";
  EXPECT_EQ(engine_->CreateSchedule(s).status().code(), StatusCode::kInvalidArgument);
  s.timezone = "UTC";
  s.group = "other";
  EXPECT_EQ(engine_->CreateSchedule(s).status().code(), StatusCode::kNotFound);
  Drain();
  EXPECT_TRUE(engine_->Schedules().empty());
  auto snapshot = store_->Load();
  ASSERT_TRUE(snapshot.ok());
  EXPECT_TRUE(snapshot->schedules.empty());
}

}  // namespace
}  // namespace nightshift::engine
