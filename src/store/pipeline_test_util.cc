#include "store/pipeline_test_util.h"

#include <gtest/gtest.h>

namespace nightshift::store::testing {

core::PipelineVersion FullPipelineVersion() {
  core::PipelineVersion v;
  v.name = "nightly-etl";
  v.version = 7;
  v.source = "steps:\n  extract:\n    command: ./extract.sh \xE2\x9C\x93\n" + std::string(300, '#');
  v.base_dir = "/srv/pipelines/etl";
  v.digest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  v.created_at = 1'700'000'000'123;
  v.deleted = true;
  return v;
}

core::PipelineRun FullRun() {
  core::PipelineRun run;
  run.id = "run-4b0c6f2e-8d1a-4a57-9b0e-3f6d2c1a9e77";
  run.pipeline = "nightly-etl";
  run.version = 7;
  run.logical_time = -60'000;  // before the epoch: negative times survive
  run.trigger = "backfill";
  run.params = {{"date", "2023-11-14"}, {"empty", ""}, {std::string("nul\0key", 7), "v"}};
  run.state = core::RunState::kFailed;
  run.reason = "step load failed: exit code 3";
  run.created_at = 1'700'000'000'000;
  run.stopped_at = 1'700'000'900'000;
  run.tries = 3;
  // Not in name order: the pipeline's topological order is kept as given.
  run.steps = {
      {.name = "transform",
       .job_id = "job-2",
       .state = core::StepState::kSucceeded,
       .reason = std::string(200, 'r'),  // a nested field over 127 bytes
       .submitted_at = 1'700'000'100'000,
       .started_at = 1'700'000'101'000,
       .stopped_at = 1'700'000'200'000,
       .exit_code = 0,  // present, though zero
       .tries = 2},
      {.name = "extract",
       .job_id = "job-1",
       .state = core::StepState::kFailed,
       .reason = "exited with 3",
       .submitted_at = 1,
       .started_at = 2,
       .stopped_at = 3,
       .exit_code = -9,
       .tries = 4},
      {.name = "load", .state = core::StepState::kSkipped, .reason = "upstream extract failed"},
  };
  run.seq = 123'456'789'012ULL;
  return run;
}

core::PipelineRun MakeRun(const std::string& id, const std::string& pipeline, uint64_t seq,
                          core::RunState state) {
  core::PipelineRun run;
  run.id = id;
  run.pipeline = pipeline;
  run.seq = seq;
  run.state = state;
  run.trigger = "manual";
  run.steps = {{.name = "only", .job_id = "job-" + id}};
  return run;
}

void ExpectPipelineVersionEq(const core::PipelineVersion& e, const core::PipelineVersion& a) {
  EXPECT_EQ(e.name, a.name);
  EXPECT_EQ(e.version, a.version);
  EXPECT_EQ(e.source, a.source);
  EXPECT_EQ(e.base_dir, a.base_dir);
  EXPECT_EQ(e.digest, a.digest);
  EXPECT_EQ(e.created_at, a.created_at);
  EXPECT_EQ(e.deleted, a.deleted);
}

void ExpectStepRunEq(const core::StepRun& e, const core::StepRun& a) {
  EXPECT_EQ(e.name, a.name);
  EXPECT_EQ(e.job_id, a.job_id) << "step " << e.name;
  EXPECT_EQ(e.state, a.state) << "step " << e.name;
  EXPECT_EQ(e.reason, a.reason) << "step " << e.name;
  EXPECT_EQ(e.submitted_at, a.submitted_at) << "step " << e.name;
  EXPECT_EQ(e.started_at, a.started_at) << "step " << e.name;
  EXPECT_EQ(e.stopped_at, a.stopped_at) << "step " << e.name;
  EXPECT_EQ(e.exit_code, a.exit_code) << "step " << e.name;
  EXPECT_EQ(e.tries, a.tries) << "step " << e.name;
}

void ExpectRunEq(const core::PipelineRun& e, const core::PipelineRun& a) {
  EXPECT_EQ(e.id, a.id);
  EXPECT_EQ(e.pipeline, a.pipeline);
  EXPECT_EQ(e.version, a.version);
  EXPECT_EQ(e.logical_time, a.logical_time);
  EXPECT_EQ(e.trigger, a.trigger);
  EXPECT_EQ(e.params, a.params);
  EXPECT_EQ(e.state, a.state);
  EXPECT_EQ(e.reason, a.reason);
  EXPECT_EQ(e.created_at, a.created_at);
  EXPECT_EQ(e.stopped_at, a.stopped_at);
  EXPECT_EQ(e.tries, a.tries);
  ASSERT_EQ(e.steps.size(), a.steps.size()) << "run " << e.id;
  for (size_t i = 0; i < e.steps.size(); ++i) ExpectStepRunEq(e.steps[i], a.steps[i]);
  EXPECT_EQ(e.seq, a.seq);
}

}  // namespace nightshift::store::testing
