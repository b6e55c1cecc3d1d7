#include "pipeline/spec.h"

#include <gtest/gtest.h>

#include "pipeline/layered_pipeline_text.h"
#include "pipeline/pipeline_test_util.h"

namespace nightshift::pipeline {
namespace {

constexpr std::string_view kIssueExample = R"(name: nightly-etl
params: {region: berlin}
schedule: {expression: "0 2 * * *", timezone: Europe/Berlin}
defaults: {queue: default, retry: {attempts: 2}, timeout: 6h}
steps:
  analyzer:   {command: ["./analyze.sh", "{{ ds }}", "{{ params.region }}"]}
  aggregator: {command: "./aggregate.sh {{ ds }}", depends_on: [analyzer]}
  deployer:   {command: ["./deploy.sh"], depends_on: [aggregator], vcpus: 1, memory: 512}
)";

std::vector<std::string> StepNames(const PipelineSpec& spec) {
  std::vector<std::string> names;
  for (const StepSpec& step : spec.steps) names.push_back(step.name);
  return names;
}

TEST(PipelineSpecTest, ParsesTheIssuesExample) {
  const PipelineSpec spec = ParseValid(kIssueExample);
  EXPECT_EQ(spec.name, "nightly-etl");
  ASSERT_EQ(spec.params.size(), 1u);
  EXPECT_EQ(spec.params[0].name, "region");
  EXPECT_EQ(spec.params[0].default_value, "berlin");
  EXPECT_EQ(spec.params[0].pos.line, 2);
  EXPECT_EQ(spec.params[0].pos.column, 10);
  ASSERT_TRUE(spec.schedule.has_value());
  EXPECT_EQ(spec.schedule->expression, "0 2 * * *");
  EXPECT_EQ(spec.schedule->timezone, "Europe/Berlin");
  EXPECT_EQ(spec.schedule->overlap, "skip");
  EXPECT_EQ(spec.schedule->catch_up, "latest");
  EXPECT_TRUE(spec.schedule->enabled);

  ASSERT_EQ(StepNames(spec), (std::vector<std::string>{"analyzer", "aggregator", "deployer"}));
  const StepSpec& analyzer = spec.steps[0];
  EXPECT_EQ(analyzer.command,
            (std::vector<std::string>{"./analyze.sh", "{{ ds }}", "{{ params.region }}"}));
  EXPECT_EQ(analyzer.pos.line, 6);
  EXPECT_EQ(analyzer.pos.column, 3);
  const StepSpec& aggregator = spec.steps[1];
  EXPECT_EQ(aggregator.command,
            (std::vector<std::string>{"/bin/sh", "-c", "./aggregate.sh {{ ds }}"}));
  ASSERT_EQ(aggregator.depends_on.size(), 1u);
  EXPECT_EQ(aggregator.depends_on[0].step, "analyzer");
  EXPECT_EQ(aggregator.depends_on[0].condition, StepCondition::kSuccess);
  EXPECT_EQ(aggregator.depends_on[0].pos.line, 7);
  EXPECT_EQ(aggregator.depends_on[0].pos.column, 65);
  const StepSpec& deployer = spec.steps[2];
  EXPECT_EQ(deployer.vcpus, 1.0);
  EXPECT_EQ(deployer.memory_mib, 512);
  for (const StepSpec& step : spec.steps) {  // the defaults, applied to every step
    EXPECT_EQ(step.queue, "default") << step.name;
    EXPECT_EQ(step.timeout_seconds, 6 * 3600) << step.name;
    ASSERT_TRUE(step.retry.has_value()) << step.name;
    EXPECT_EQ(step.retry->attempts, 2) << step.name;
  }
  EXPECT_FALSE(analyzer.vcpus.has_value());
}

TEST(PipelineSpecTest, StepsComeDependenciesFirstWithTiesInFileOrder) {
  const PipelineSpec spec = ParseValid(R"(name: order
steps:
  publish: {command: [p], depends_on: [merge]}
  fetch_b: {command: [b]}
  merge:   {command: [m], depends_on: [fetch_b, fetch_a]}
  fetch_a: {command: [a]}
  report:  {command: [r]}
  notify:  {command: [n], depends_on: [fetch_a]}
)");
  EXPECT_EQ(StepNames(spec), (std::vector<std::string>{"fetch_b", "fetch_a", "merge", "publish",
                                                       "report", "notify"}));
}

TEST(PipelineSpecTest, DefaultsFillWhatAStepLeavesUnsetAndEnvMergesWithTheStepWinning) {
  const PipelineSpec spec = ParseValid(R"(name: defaults
defaults:
  queue: batch
  vcpus: 2
  memory: 1Gi
  timeout: 1h30m
  retry: {attempts: 3}
  env: {REGION: eu, LEVEL: info}
steps:
  plain: {command: [x]}
  own:
    command: [y]
    queue: fast
    vcpus: 0.5
    memory: 256
    timeout: 90
    retry: {attempts: 1}
    env: {LEVEL: debug, EXTRA: "1"}
)");
  ASSERT_EQ(spec.steps.size(), 2u);
  const StepSpec& plain = spec.steps[0];
  EXPECT_EQ(plain.queue, "batch");
  EXPECT_EQ(plain.vcpus, 2.0);
  EXPECT_EQ(plain.memory_mib, 1024);
  EXPECT_EQ(plain.timeout_seconds, 5400);
  EXPECT_EQ(plain.retry->attempts, 3);
  EXPECT_EQ(plain.env, (std::map<std::string, std::string>{{"LEVEL", "info"}, {"REGION", "eu"}}));
  const StepSpec& own = spec.steps[1];
  EXPECT_EQ(own.queue, "fast");
  EXPECT_EQ(own.vcpus, 0.5);
  EXPECT_EQ(own.memory_mib, 256);
  EXPECT_EQ(own.timeout_seconds, 90);
  EXPECT_EQ(own.retry->attempts, 1);
  EXPECT_EQ(own.env, (std::map<std::string, std::string>{
                         {"EXTRA", "1"}, {"LEVEL", "debug"}, {"REGION", "eu"}}));
}

TEST(PipelineSpecTest, WithoutDefaultsTheQueueIsDefaultAndTheRestStaysUnset) {
  const PipelineSpec spec = ParseValid("name: bare\nsteps: {only: {command: [x]}}\n");
  ASSERT_EQ(spec.steps.size(), 1u);
  EXPECT_EQ(spec.steps[0].queue, "default");
  EXPECT_FALSE(spec.steps[0].retry.has_value());
  EXPECT_FALSE(spec.steps[0].timeout_seconds.has_value());
  EXPECT_FALSE(spec.schedule.has_value());
}

TEST(PipelineSpecTest, ReadsEveryStepKey) {
  const PipelineSpec spec = ParseValid(R"(name: full
description: every key once
params: {region: berlin, day: ~, count: 3}
steps:
  setup: {definition: "prepare:3", env: {MODE: "{{ params.day }}", N: 5, ON: true}}
  fan:
    command: ./fan.sh
    image: localhost/tools:1.2
    array: 10
    depends_on: [setup]
  each:
    definition: worker
    array: 10
    depends_on: [{step: fan}]
  cleanup:
    command: [./cleanup.sh, "{{ run_id }}", "{{ logical_date }}"]
    depends_on:
      - {step: each, condition: completion}
      - {step: setup, condition: failure}
      - {step: fan, condition: success}
    retry:
      attempts: 4
      evaluate_on_exit:
        - {action: exit, on_exit_code: "137"}
        - {action: Retry, on_reason: "OutOfMemory*", on_status_reason: "Host EC2*"}
      backoff: {delay: 30s, factor: 1.5, max: 10m, jitter: true}
)");
  EXPECT_EQ(spec.description, "every key once");
  ASSERT_EQ(spec.params.size(), 3u);
  EXPECT_EQ(spec.params[1].name, "day");
  EXPECT_FALSE(spec.params[1].default_value.has_value());
  EXPECT_EQ(spec.params[2].default_value, "3");
  ASSERT_EQ(StepNames(spec), (std::vector<std::string>{"setup", "fan", "each", "cleanup"}));
  EXPECT_EQ(spec.steps[0].definition, "prepare:3");
  EXPECT_TRUE(spec.steps[0].command.empty());
  EXPECT_EQ(spec.steps[0].env, (std::map<std::string, std::string>{
                                   {"MODE", "{{ params.day }}"}, {"N", "5"}, {"ON", "true"}}));
  EXPECT_EQ(spec.steps[1].array_size, 10);
  EXPECT_EQ(spec.steps[1].image, "localhost/tools:1.2");
  EXPECT_EQ(spec.steps[0].image, "");
  EXPECT_EQ(spec.steps[2].definition, "worker");
  const StepSpec& cleanup = spec.steps[3];
  ASSERT_EQ(cleanup.depends_on.size(), 3u);
  EXPECT_EQ(cleanup.depends_on[0].condition, StepCondition::kCompletion);
  EXPECT_EQ(cleanup.depends_on[1].condition, StepCondition::kFailure);
  EXPECT_EQ(cleanup.depends_on[2].condition, StepCondition::kSuccess);
  ASSERT_TRUE(cleanup.retry.has_value());
  EXPECT_EQ(cleanup.retry->attempts, 4);
  ASSERT_EQ(cleanup.retry->evaluate_on_exit.size(), 2u);
  EXPECT_EQ(cleanup.retry->evaluate_on_exit[0].action, core::RetryAction::kExit);
  EXPECT_EQ(cleanup.retry->evaluate_on_exit[0].on_exit_code, "137");
  EXPECT_EQ(cleanup.retry->evaluate_on_exit[1].action, core::RetryAction::kRetry);
  EXPECT_EQ(cleanup.retry->evaluate_on_exit[1].on_reason, "OutOfMemory*");
  EXPECT_EQ(cleanup.retry->evaluate_on_exit[1].on_status_reason, "Host EC2*");
  ASSERT_TRUE(cleanup.retry->backoff.has_value());
  EXPECT_EQ(cleanup.retry->backoff->delay_seconds, 30);
  EXPECT_EQ(cleanup.retry->backoff->factor, 1.5);
  EXPECT_EQ(cleanup.retry->backoff->max_delay_seconds, 600);
  EXPECT_TRUE(cleanup.retry->backoff->jitter);
}

TEST(PipelineSpecTest, ReadsEveryScheduleKey) {
  const PipelineSpec spec = ParseValid(R"(name: scheduled
schedule:
  expression: cron(0 12 ? * MON-FRI *)
  timezone: America/New_York
  dst_gap: skip
  dst_repeat: both
  overlap: buffer_one
  catch_up: all
  catch_up_window: 2d
  jitter: 15
  max_active_runs: 3
  enabled: false
steps: {s: {command: [x]}}
)");
  ASSERT_TRUE(spec.schedule.has_value());
  const ScheduleSpec& schedule = *spec.schedule;
  EXPECT_EQ(schedule.expression, "cron(0 12 ? * MON-FRI *)");
  EXPECT_EQ(schedule.timezone, "America/New_York");
  EXPECT_EQ(schedule.dst_gap, "skip");
  EXPECT_EQ(schedule.dst_repeat, "both");
  EXPECT_EQ(schedule.overlap, "buffer_one");
  EXPECT_EQ(schedule.catch_up, "all");
  EXPECT_EQ(schedule.catch_up_window_seconds, 2 * 86400);
  EXPECT_EQ(schedule.jitter_minutes, 15);
  EXPECT_EQ(schedule.max_active_runs, 3);
  EXPECT_FALSE(schedule.enabled);
  EXPECT_EQ(schedule.pos.line, 2);
  EXPECT_EQ(schedule.pos.column, 1);
}

TEST(PipelineSpecTest, AcceptsJson) {
  const PipelineSpec spec = ParseValid(R"({
  "name": "from-json",
  "params": {"region": null},
  "steps": {
    "b": {"command": ["./b.sh", "{{ params.region }}"], "depends_on": ["a"], "memory": "2G"},
    "a": {"command": "echo a", "timeout": 60}
  }
})");
  EXPECT_EQ(spec.name, "from-json");
  EXPECT_FALSE(spec.params[0].default_value.has_value());
  ASSERT_EQ(StepNames(spec), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(spec.steps[0].timeout_seconds, 60);
  EXPECT_EQ(spec.steps[1].memory_mib, 1908);
  EXPECT_EQ(spec.steps[1].depends_on[0].pos.line, 5);
  EXPECT_EQ(spec.steps[1].depends_on[0].pos.column, 72);
}

TEST(PipelineSpecTest, JsonProblemsHavePositionsToo) {
  EXPECT_EQ(
      ProblemsOf(R"({"name": "j", "steps": {"a": {"command": ["x"], "timeuot": 5}}})"),
      (std::vector<std::string>{"1:49: steps.a: unknown key 'timeuot' (did you mean 'timeout'?)"}));
}

TEST(PipelineSpecTest, ParsesATenThousandStepLayeredPipeline) {
  const std::string text = LayeredPipelineText(100, 100);
  const PipelineSpec spec = ParseValid(text);
  ASSERT_EQ(spec.steps.size(), 10'000u);
  std::map<std::string, size_t> position;
  for (size_t i = 0; i < spec.steps.size(); ++i) position[spec.steps[i].name] = i;
  size_t edges = 0;
  for (size_t i = 0; i < spec.steps.size(); ++i) {
    for (const StepDependency& dependency : spec.steps[i].depends_on) {
      EXPECT_LT(position.at(dependency.step), i);
      ++edges;
    }
  }
  EXPECT_GE(edges, 9'900u);
  EXPECT_LE(edges, 3 * 9'900u);
}

TEST(FormatProblemsTest, OneFileLineColumnLinePerProblem) {
  const std::vector<Problem> problems = {{{3, 7}, "steps.a: unknown key 'x'"}, {{}, "no position"}};
  EXPECT_EQ(FormatProblems("etl.yaml", problems),
            "etl.yaml:3:7: steps.a: unknown key 'x'\netl.yaml: no position\n");
  EXPECT_EQ(FormatProblems("etl.yaml", {}), "");
}

}  // namespace
}  // namespace nightshift::pipeline
