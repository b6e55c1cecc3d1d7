// Pipeline runs in the engine with a fake executor and a fake clock: steps become jobs with their
// conditions, step and run states follow the jobs, a failed middle step fails the run, skipped
// steps say why, reruns keep what succeeded, cancel stops what runs, runs survive a restart, and a
// pipeline's schedule starts runs for its fire instants.
#include <gtest/gtest.h>

#include <algorithm>

#include "engine/engine_test_fixture.h"

namespace nightshift::engine {
namespace {

constexpr char kEtl[] = R"(
name: etl
params: {region: berlin, day: ~}
steps:
  analyze:   {command: ["./analyze.sh", "{{ ds }}", "{{ params.region }}", "{{ params.day }}"]}
  aggregate: {command: "./aggregate.sh {{ ds }}", depends_on: [analyze]}
  deploy:    {command: [./deploy.sh], depends_on: [aggregate]}
  notify:    {command: [./notify.sh], depends_on: [{step: aggregate, condition: failure}]}
  cleanup:   {command: [./cleanup.sh], depends_on: [{step: deploy, condition: completion}]}
)";

class EnginePipelineTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    clock_.Set(kMidnight);
  }

  void Apply(const std::string& source) {
    std::vector<pipeline::Problem> problems;
    Result<Engine::AppliedPipeline> applied = engine_->ApplyPipeline(source, "/srv/etl", &problems);
    ASSERT_TRUE(applied.ok()) << applied.status().ToString();
    Drain();
  }

  core::PipelineRun Start(std::map<std::string, std::string> params = {{"day", "1"}}) {
    Engine::RunRequest r;
    r.pipeline = "etl";
    r.params = std::move(params);
    Result<core::PipelineRun> run = engine_->StartRun(r);
    EXPECT_TRUE(run.ok()) << run.status().ToString();
    Drain();
    return run.ok() ? *run : core::PipelineRun{};
  }

  core::PipelineRun Get(const std::string& id) {
    auto run = engine_->GetRun(id);
    EXPECT_TRUE(run.ok() && *run) << id;
    return run.ok() && *run ? **run : core::PipelineRun{};
  }

  // "step=STATE" per step.
  std::vector<std::string> States(const core::PipelineRun& run) {
    std::vector<std::string> out;
    for (const core::StepRun& s : run.steps) out.push_back(s.name + "=" + std::string(core::Name(s.state)));
    return out;
  }

  const exec::LaunchRequest* Launched(const std::string& job_id) {
    for (const auto& l : executor_->launched()) {
      if (l.key.job_id == job_id) return &l;
    }
    return nullptr;
  }

  void Exit(const core::PipelineRun& run, const std::string& step, int code) {
    for (const core::StepRun& s : Get(run.id).steps) {
      if (s.name == step) {
        const bool adopted = std::any_of(executor_->adopted().begin(), executor_->adopted().end(),
                                         [&](const exec::AttemptKey& k) { return k.job_id == s.job_id; });
        ASSERT_TRUE(Launched(s.job_id) || adopted) << step << " is not running";
        executor_->Exit({s.job_id, 1}, code);
        Drain();
        return;
      }
    }
    FAIL() << "no step " << step;
  }
};

TEST_F(EnginePipelineTest, StepsRunInOrderWithRenderedCommandsInTheFilesDirectory) {
  Apply(kEtl);
  core::PipelineRun run = Start();
  ASSERT_EQ(run.steps.size(), 5u);
  EXPECT_EQ(run.steps[0].name, "analyze");
  const exec::LaunchRequest* analyze = Launched(run.steps[0].job_id);
  ASSERT_NE(analyze, nullptr);
  EXPECT_EQ(analyze->argv, (std::vector<std::string>{"./analyze.sh", "2027-01-01", "berlin", "1"}));
  EXPECT_EQ(analyze->working_dir, "/srv/etl");
  EXPECT_EQ(executor_->launched().size(), 1u) << "the others wait for their upstream steps";
  EXPECT_EQ(States(Get(run.id))[0], "analyze=RUNNING");

  Exit(run, "analyze", 0);
  const exec::LaunchRequest* aggregate = Launched(Get(run.id).steps[1].job_id);
  ASSERT_NE(aggregate, nullptr);
  EXPECT_EQ(aggregate->argv, (std::vector<std::string>{"/bin/sh", "-c", "./aggregate.sh 2027-01-01"}));
  Exit(run, "aggregate", 0);
  Exit(run, "deploy", 0);
  Exit(run, "cleanup", 0);
  core::PipelineRun done = Get(run.id);
  EXPECT_EQ(done.state, core::RunState::kSucceeded) << done.reason;
  EXPECT_EQ(States(done), (std::vector<std::string>{"analyze=SUCCEEDED", "aggregate=SUCCEEDED", "deploy=SUCCEEDED",
                                                    "notify=SKIPPED", "cleanup=SUCCEEDED"}));
  EXPECT_NE(done.steps[3].reason.find("aggregate"), std::string::npos) << done.steps[3].reason;
}

TEST_F(EnginePipelineTest, AFailedMiddleStepFailsTheRunEvenThoughACompletionLeafRan) {
  Apply(kEtl);
  core::PipelineRun run = Start();
  Exit(run, "analyze", 0);
  Exit(run, "aggregate", 3);
  Exit(run, "notify", 0);
  EXPECT_EQ(States(Get(run.id))[4], "cleanup=RUNNING") << "completion: it runs after a skipped step too";
  Exit(run, "cleanup", 0);
  core::PipelineRun mid = Get(run.id);
  EXPECT_EQ(States(mid), (std::vector<std::string>{"analyze=SUCCEEDED", "aggregate=FAILED", "deploy=SKIPPED",
                                                   "notify=SUCCEEDED", "cleanup=SUCCEEDED"}));
  EXPECT_EQ(mid.steps[1].exit_code, 3);
  EXPECT_EQ(mid.state, core::RunState::kFailed);
  EXPECT_NE(mid.reason.find("aggregate"), std::string::npos) << mid.reason;
  auto stored = store_->GetRun(run.id);
  ASSERT_TRUE(stored.ok() && *stored);
  EXPECT_EQ((*stored)->state, core::RunState::kFailed) << "an ended run is committed";
}

// Until the batch that ends a run is committed, the store still has it running: ListRuns shows
// it as GetRun does, ended.
TEST_F(EnginePipelineTest, ARunThatEndedIsListedEndedBeforeItsBatchIsCommitted) {
  Apply(kEtl);
  core::PipelineRun run = Start();
  Exit(run, "analyze", 0);
  Exit(run, "aggregate", 0);
  Exit(run, "deploy", 0);
  flaky_->HoldCommits();
  for (const core::StepRun& s : Get(run.id).steps) {
    if (s.name == "cleanup") executor_->Exit({s.job_id, 1}, 0);
  }
  ASSERT_TRUE(RunUntilCommitHeld());
  auto stored = store_->GetRun(run.id);
  ASSERT_TRUE(stored.ok() && *stored);
  EXPECT_EQ((*stored)->state, core::RunState::kRunning) << "the batch that ends it is held";
  EXPECT_EQ(Get(run.id).state, core::RunState::kSucceeded);
  Result<store::RunPage> page = engine_->ListRuns({.pipeline = "etl"});
  ASSERT_TRUE(page.ok() && page->runs.size() == 1) << page.status().ToString();
  EXPECT_EQ(page->runs[0].state, core::RunState::kSucceeded);
  flaky_->ReleaseCommits();
  Drain();
}

TEST_F(EnginePipelineTest, RerunFromFailureKeepsSucceededStepsAndRunsTheRest) {
  Apply(kEtl);
  core::PipelineRun run = Start();
  Exit(run, "analyze", 0);
  const std::string analyze_job = Get(run.id).steps[0].job_id;
  Exit(run, "aggregate", 3);
  Exit(run, "notify", 0);
  Exit(run, "cleanup", 0);
  ASSERT_EQ(Get(run.id).state, core::RunState::kFailed);
  const size_t launched_before = executor_->launched().size();

  Result<core::PipelineRun> rerun = engine_->RerunFromFailure(run.id);
  ASSERT_TRUE(rerun.ok()) << rerun.status().ToString();
  Drain();
  core::PipelineRun again = Get(run.id);
  EXPECT_EQ(again.tries, 2);
  EXPECT_EQ(again.steps[0].job_id, analyze_job) << "the succeeded step is kept";
  EXPECT_EQ(again.steps[0].tries, 1);
  EXPECT_EQ(again.steps[1].tries, 2);
  EXPECT_EQ(executor_->launched().size(), launched_before + 1) << "aggregate starts at once: analyze succeeded";
  Exit(again, "aggregate", 0);
  Exit(again, "deploy", 0);
  Exit(again, "cleanup", 0);
  core::PipelineRun done = Get(run.id);
  EXPECT_EQ(done.state, core::RunState::kSucceeded) << done.reason;
  EXPECT_EQ(States(done)[3], "notify=SUCCEEDED") << "kept from the first try, like every succeeded step";
  EXPECT_EQ(engine_->RerunFromFailure(run.id).status().code(), StatusCode::kConflict);
}

TEST_F(EnginePipelineTest, CancelStopsTheRunningStepAndEndsTheRunCancelled) {
  Apply(kEtl);
  core::PipelineRun run = Start();
  ASSERT_TRUE(engine_->CancelRun(run.id, "not today").ok());
  Drain();
  ASSERT_EQ(executor_->terminated().size(), 1u);
  executor_->Exit({run.steps[0].job_id, 1}, 143);
  Drain();
  core::PipelineRun done = Get(run.id);
  EXPECT_EQ(done.state, core::RunState::kCancelled);
  EXPECT_EQ(States(done), (std::vector<std::string>{"analyze=CANCELLED", "aggregate=CANCELLED", "deploy=CANCELLED",
                                                    "notify=CANCELLED", "cleanup=CANCELLED"}));
}

TEST_F(EnginePipelineTest, MissingOrUnknownParamsStartNothing) {
  Apply(kEtl);
  Engine::RunRequest r;
  r.pipeline = "etl";
  Result<core::PipelineRun> missing = engine_->StartRun(r);
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("day"), std::string::npos);
  r.params = {{"day", "1"}, {"colour", "red"}};
  EXPECT_EQ(engine_->StartRun(r).status().code(), StatusCode::kInvalidArgument);
  r.pipeline = "nope";
  EXPECT_EQ(engine_->StartRun(r).status().code(), StatusCode::kNotFound);
  Drain();
  EXPECT_TRUE(executor_->launched().empty());
}

TEST_F(EnginePipelineTest, ApplyMakesAVersionOnlyWhenTheFileChangesAndRunsKeepTheirs) {
  Apply(kEtl);
  core::PipelineRun first = Start();
  Apply(kEtl);
  EXPECT_EQ(engine_->FindPipeline("etl")->version, 1);
  Apply(std::string(kEtl) + "\n# changed\n");
  EXPECT_EQ(engine_->FindPipeline("etl")->version, 2);
  EXPECT_EQ(Get(first.id).version, 1);
  std::vector<pipeline::Problem> problems;
  EXPECT_FALSE(engine_->ApplyPipeline("name: etl\nsteps: {a: {command: [x], depends_on: [b]}}\n", "", &problems).ok());
  EXPECT_FALSE(problems.empty());
  EXPECT_EQ(engine_->FindPipeline("etl")->version, 2) << "an invalid file changes nothing";
}

TEST_F(EnginePipelineTest, ARunSurvivesARestartAndEndsWhenItsJobsDo) {
  Apply(kEtl);
  core::PipelineRun run = Start();
  OpenAndStart();  // the analyze job is re-adopted as running
  EXPECT_EQ(States(Get(run.id))[0], "analyze=RUNNING");
  Exit(run, "analyze", 0);
  Exit(run, "aggregate", 0);
  Exit(run, "deploy", 0);
  Exit(run, "cleanup", 0);
  EXPECT_EQ(Get(run.id).state, core::RunState::kSucceeded);
}

TEST_F(EnginePipelineTest, ThePipelinesScheduleStartsRunsForItsFireInstants) {
  Apply(std::string(kEtl) + "schedule: {expression: \"0 2 * * *\", timezone: Europe/Berlin}\n");
  const core::Schedule* s = engine_->FindSchedule("pipelines", "etl");
  ASSERT_NE(s, nullptr);
  // 02:00 in Berlin on 2027-01-01 is 01:00Z. A run with a missing required param fails to
  // start: the fire is recorded as failed, with the reason.
  clock_.Set(kMidnight + 3'600'000);
  engine_->WhenDurable([](Status) {});
  Drain();
  store::FireQuery q;
  q.schedule = "pipelines/etl";
  auto fires = store_->ListFires(q);
  ASSERT_TRUE(fires.ok());
  ASSERT_EQ(fires->fires.size(), 1u);
  EXPECT_EQ(fires->fires[0].outcome, core::FireOutcome::kFailed);
  EXPECT_NE(fires->fires[0].reason.find("day"), std::string::npos) << fires->fires[0].reason;

  Apply("name: etl\nschedule: {expression: \"0 2 * * *\", timezone: Europe/Berlin}\n"
        "steps: {only: {command: [\"./x\", \"{{ ds }}\", \"{{ data_interval_start }}\"]}}\n");
  clock_.Set(kMidnight + 25 * 3'600'000);
  engine_->WhenDurable([](Status) {});
  Drain();
  fires = store_->ListFires(q);
  ASSERT_TRUE(fires.ok());
  ASSERT_EQ(fires->fires.size(), 2u);
  EXPECT_EQ(fires->fires[0].outcome, core::FireOutcome::kStarted);
  core::PipelineRun run = Get(fires->fires[0].run_id);
  EXPECT_EQ(run.trigger, "schedule");
  EXPECT_EQ(run.logical_time, kMidnight + 25 * 3'600'000);
  ASSERT_FALSE(executor_->launched().empty());
  EXPECT_EQ(executor_->launched().back().argv,
            (std::vector<std::string>{"./x", "2027-01-02", "2027-01-01T02:00:00+01:00"}));
}

}  // namespace
}  // namespace nightshift::engine
