#include "cli/run_display.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace nightshift::cli {
namespace {

using core::StepState;

constexpr TimeMs kT0 = 1'700'000'000'000;

core::PipelineRun RunOf(std::vector<std::string> names) {
  core::PipelineRun run;
  run.id = "r1";
  run.pipeline = "etl";
  run.created_at = kT0;
  for (std::string& name : names) run.steps.push_back(core::StepRun{.name = std::move(name)});
  return run;
}

void Start(core::StepRun& step, TimeMs at) {
  step.state = StepState::kRunning;
  step.started_at = at;
  step.stopped_at = 0;
}

void End(core::StepRun& step, StepState state, TimeMs at, int exit_code) {
  step.state = state;
  step.stopped_at = at;
  step.exit_code = exit_code;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The in-process run names the steps that changed in a turn: only those are looked at.
TEST(RunDisplayTest, ReadsOnlyTheChangedStepsItIsGiven) {
  std::ostringstream out;
  RunDisplay display(out, 0);
  core::PipelineRun run = RunOf({"a", "b", "c"});
  display.Update(run, kT0);
  Start(run.steps[0], kT0 + 10);
  Start(run.steps[2], kT0 + 10);
  const std::vector<size_t> only_c = {2};
  display.Update(run, kT0 + 10, &only_c);
  EXPECT_EQ(Lines(out.str()), (std::vector<std::string>{"c started"}));
  display.Update(run, kT0 + 20);  // whole: a's start is seen now, c's not again
  EXPECT_EQ(Lines(out.str()), (std::vector<std::string>{"c started", "a started"}));
}

TEST(RunDisplayTest, TheStatusLineCountsFromTheChangedStepsAlone) {
  std::ostringstream out;
  RunDisplay display(out, 80);
  core::PipelineRun run = RunOf({"a", "b", "c"});
  display.Update(run, kT0);
  Start(run.steps[0], kT0);
  Start(run.steps[2], kT0 + 500);
  const std::vector<size_t> a_and_c = {0, 2}, only_a = {0};
  display.Update(run, kT0 + 1000, &a_and_c);
  out.str("");
  End(run.steps[0], StepState::kSucceeded, kT0 + 2000, 0);
  display.Update(run, kT0 + 2000, &only_a);
  EXPECT_EQ(out.str(), "\r[1/3] c running 1s\033[K");
}

TEST(RunDisplayTest, PrintsAPlainLineForEveryStartAndEnd) {
  std::ostringstream out;
  RunDisplay display(out, 0);
  core::PipelineRun run = RunOf({"analyzer", "aggregator"});
  display.Update(run, kT0);
  Start(run.steps[0], kT0 + 10);
  display.Update(run, kT0 + 10);
  End(run.steps[0], StepState::kSucceeded, kT0 + 1210, 0);
  Start(run.steps[1], kT0 + 1220);
  display.Update(run, kT0 + 1220);
  End(run.steps[1], StepState::kFailed, kT0 + 1320, 3);
  display.Update(run, kT0 + 1320);
  display.Update(run, kT0 + 1400);  // nothing new: nothing printed

  EXPECT_EQ(Lines(out.str()),
            (std::vector<std::string>{"analyzer started", "analyzer SUCCEEDED in 1.2s",
                                      "aggregator started", "aggregator FAILED in 0.1s (exit 3)"}));
}

TEST(RunDisplayTest, StepThatStartedAndEndedBetweenSnapshotsStillGetsItsStartedLine) {
  std::ostringstream out;
  RunDisplay display(out, 0);
  core::PipelineRun run = RunOf({"a"});
  display.Update(run, kT0);
  Start(run.steps[0], kT0 + 1);
  End(run.steps[0], StepState::kSucceeded, kT0 + 2, 0);
  display.Update(run, kT0 + 3);

  EXPECT_EQ(Lines(out.str()), (std::vector<std::string>{"a started", "a SUCCEEDED in 0.0s"}));
}

TEST(RunDisplayTest, RetriedStepIsStartedAgain) {
  std::ostringstream out;
  RunDisplay display(out, 0);
  core::PipelineRun run = RunOf({"a"});
  Start(run.steps[0], kT0);
  display.Update(run, kT0);
  run.steps[0].state = StepState::kPending;  // its attempt failed; the retry waits
  display.Update(run, kT0 + 100);
  Start(run.steps[0], kT0 + 200);
  display.Update(run, kT0 + 200);

  EXPECT_EQ(Lines(out.str()), (std::vector<std::string>{"a started", "a started again"}));
}

TEST(RunDisplayTest, SkippedStepGetsItsReasonAndNoStartedLine) {
  std::ostringstream out;
  RunDisplay display(out, 0);
  core::PipelineRun run = RunOf({"deployer"});
  display.Update(run, kT0);
  run.steps[0].state = StepState::kSkipped;
  run.steps[0].reason = "Dependency aggregator FAILED";
  display.Update(run, kT0 + 5);

  EXPECT_EQ(Lines(out.str()),
            (std::vector<std::string>{"deployer SKIPPED: Dependency aggregator FAILED"}));
}

TEST(RunDisplayTest, TerminalShowsTheStatusLineAndKeepsOnlyFailures) {
  std::ostringstream out;
  RunDisplay display(out, 80);
  core::PipelineRun run = RunOf({"a", "b", "c"});
  Start(run.steps[0], kT0);
  Start(run.steps[1], kT0 + 500);
  display.Update(run, kT0 + 2500);
  EXPECT_EQ(out.str(), "\r[0/3] a, b running 2s\033[K");

  out.str("");
  End(run.steps[0], StepState::kFailed, kT0 + 3000, 1);
  End(run.steps[1], StepState::kSucceeded, kT0 + 3000, 0);
  display.Update(run, kT0 + 3000);
  EXPECT_EQ(out.str(), "\r\033[Ka FAILED in 3.0s (exit 1)\n\r[2/3] waiting 3s\033[K");

  out.str("");
  display.Update(run, kT0 + 3050);  // within a tenth of a second: the next Tick draws
  EXPECT_EQ(out.str(), "");
  run.state = core::RunState::kFailed;
  run.steps[2].state = StepState::kSkipped;
  display.Update(run, kT0 + 3060);
  display.Tick(kT0 + 3100);
  EXPECT_EQ(out.str(), "\r[3/3] FAILED\033[K");
}

TEST(RunDisplayTest, StatusLineIsCutAtTheTerminalWidth) {
  std::ostringstream out;
  RunDisplay display(out, 20);
  core::PipelineRun run = RunOf({"first-long-step", "second-long-step", "third-long-step"});
  for (core::StepRun& step : run.steps) Start(step, kT0);
  display.Update(run, kT0);
  EXPECT_EQ(out.str(), "\r[0/3] first-long-st\033[K");
}

// Each snapshot of a wide run is a full copy of the run; every step is still reported exactly
// once as it starts and once as it ends, however many snapshots there were.
TEST(RunDisplayTest, WideRunReportsEachStepOnceAcrossManySnapshots) {
  constexpr int kSteps = 2'000;
  std::vector<std::string> names;
  for (int i = 0; i < kSteps; ++i) names.push_back(std::string("s").append(std::to_string(i)));
  std::ostringstream out;
  RunDisplay display(out, 0);
  core::PipelineRun run = RunOf(names);
  for (int i = 0; i < kSteps; ++i) {
    Start(run.steps[i], kT0 + i);
    display.Update(run, kT0 + i);
    End(run.steps[i], StepState::kSucceeded, kT0 + i + 1, 0);
    display.Update(run, kT0 + i + 1);
  }
  const std::vector<std::string> lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 2u * kSteps);
  EXPECT_EQ(lines[2 * 1234], "s1234 started");
  EXPECT_EQ(lines[2 * 1234 + 1], "s1234 SUCCEEDED in 0.0s");
}

}  // namespace
}  // namespace nightshift::cli
