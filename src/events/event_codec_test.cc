#include "events/event_codec.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace nightshift::events {
namespace {

using Json = nlohmann::json;

core::Job FailedJob() {
  auto spec = std::make_shared<core::JobSpec>();
  spec->command = {"false"};
  spec->retry.attempts = 2;
  spec->environment = {
      {"NIGHTSHIFT_PIPELINE", "etl"}, {"NIGHTSHIFT_RUN_ID", "r1"}, {"NIGHTSHIFT_STEP", "load"}};
  core::Job job;
  job.id = "j1";
  job.name = "load";
  job.queue = "default";
  job.definition = "nightshift-step:1";
  job.spec = spec;
  job.state = core::JobState::kFailed;
  job.created_at = 1'700'000'000'000;
  core::Attempt a;
  a.started_at = 1'700'000'001'000;
  a.stopped_at = 1'700'000'002'000;
  a.exit_code = 3;
  a.log_stream_name = "nightshift-step/default/j1/1";
  job.attempts = {a};
  return job;
}

TEST(EventCodecTest, JobEventMirrorsBatchJobStateChange) {
  core::JobTransition t{"j1", core::JobState::kRunning, core::JobState::kFailed,
                        "Essential container in task exited", 1'700'000'002'500};
  core::Event e = JobEvent(42, FailedJob(), t, EventOrigin{"eu-west-1", "123456789012"});
  EXPECT_EQ(e.id, 42u);
  EXPECT_EQ(e.type, core::EventType::kJob);
  EXPECT_EQ(e.status, "FAILED");
  EXPECT_EQ(e.queue, "default");
  EXPECT_EQ(e.pipeline, "etl");
  EXPECT_EQ(e.doc.find('\n'), std::string::npos);
  Json j = Json::parse(e.doc);
  EXPECT_EQ(j["id"], 42);
  EXPECT_EQ(j["type"], "job");
  EXPECT_EQ(j["detail-type"], "Batch Job State Change");
  EXPECT_EQ(j["source"], "aws.batch");
  EXPECT_EQ(j["time"], "2023-11-14T22:13:22.500+00:00");
  const Json& d = j["detail"];
  EXPECT_EQ(d["jobId"], "j1");
  EXPECT_EQ(d["jobName"], "load");
  EXPECT_EQ(d["jobArn"], "arn:aws:batch:eu-west-1:123456789012:job/j1");
  EXPECT_EQ(d["jobQueue"], "arn:aws:batch:eu-west-1:123456789012:job-queue/default");
  EXPECT_EQ(d["status"], "FAILED");
  EXPECT_EQ(d["previousStatus"], "RUNNING");
  EXPECT_EQ(d["statusReason"], "Essential container in task exited");
  EXPECT_EQ(d["attempt"], 1);
  ASSERT_EQ(d["attempts"].size(), 1u);
  EXPECT_EQ(d["attempts"][0]["container"]["exitCode"], 3);
  EXPECT_EQ(d["container"]["exitCode"], 3);
  EXPECT_EQ(d["retryStrategy"]["attempts"], 2);
  EXPECT_EQ(d["pipeline"], "etl");
  EXPECT_EQ(d["runId"], "r1");
  EXPECT_EQ(d["step"], "load");
  EXPECT_EQ(j["resources"][0], d["jobArn"]);
}

TEST(EventCodecTest, SubmissionHasNoPreviousStatus) {
  core::JobTransition t{"j1", core::JobState::kSubmitted, core::JobState::kSubmitted, "",
                        1'700'000'000'000};
  Json j = Json::parse(JobEvent(1, FailedJob(), t, {}).doc);
  EXPECT_TRUE(j["detail"]["previousStatus"].is_null());
  EXPECT_EQ(j["detail"]["status"], "SUBMITTED");
}

TEST(EventCodecTest, FireEventCarriesOutcomeReasonAndLateness) {
  core::Fire fire;
  fire.schedule = "pipelines/etl";
  fire.logical_time = 1'700'000'000'000;
  fire.due_time = 1'700'000'000'000;
  fire.decided_at = 1'700'000'000'007;
  fire.outcome = core::FireOutcome::kSkipped;
  fire.reason = "overlap: a run is active";
  core::Event e = FireEvent(7, fire, {});
  EXPECT_EQ(e.type, core::EventType::kSchedule);
  EXPECT_EQ(e.status, "SKIPPED");
  EXPECT_EQ(e.pipeline, "etl");
  Json d = Json::parse(e.doc)["detail"];
  EXPECT_EQ(d["schedule"], "etl");
  EXPECT_EQ(d["group"], "pipelines");
  EXPECT_EQ(d["reason"], "overlap: a run is active");
  EXPECT_EQ(d["latenessMs"], 7);
  EXPECT_TRUE(d["target"].is_null());
}

TEST(EventCodecTest, RunEventListsSteps) {
  core::PipelineRun run;
  run.id = "r1";
  run.pipeline = "etl";
  run.state = core::RunState::kFailed;
  run.reason = "step load failed";
  run.steps = {{.name = "load", .job_id = "j1", .state = core::StepState::kFailed}};
  core::Event e = RunEvent(3, run, 1'700'000'000'000, {});
  EXPECT_EQ(e.status, "FAILED");
  EXPECT_EQ(e.pipeline, "etl");
  Json d = Json::parse(e.doc)["detail"];
  EXPECT_EQ(d["runId"], "r1");
  EXPECT_EQ(d["steps"][0]["state"], "FAILED");
  EXPECT_EQ(d["steps"][0]["jobId"], "j1");
}

TEST(EventCodecTest, ScheduleChangesAreToldFromProgressWrites) {
  core::Schedule s;
  s.modified_at = 10;
  EXPECT_EQ(ClassifyScheduleChange(nullptr, s), ScheduleChange::kCreated);
  ScheduleMark mark{core::ScheduleState::kEnabled, 10};
  EXPECT_EQ(ClassifyScheduleChange(&mark, s), std::nullopt);  // a fire moved its cursor
  s.modified_at = 11;
  EXPECT_EQ(ClassifyScheduleChange(&mark, s), ScheduleChange::kUpdated);
  s.state = core::ScheduleState::kDisabled;
  EXPECT_EQ(ClassifyScheduleChange(&mark, s), ScheduleChange::kPaused);
  ScheduleMark paused{core::ScheduleState::kDisabled, 11};
  s.state = core::ScheduleState::kEnabled;
  EXPECT_EQ(ClassifyScheduleChange(&paused, s), ScheduleChange::kResumed);
}

}  // namespace
}  // namespace nightshift::events
