#include "core/pipeline.h"

namespace nightshift::core {

std::string_view Name(RunState state) {
  switch (state) {
    case RunState::kRunning: return "RUNNING";
    case RunState::kSucceeded: return "SUCCEEDED";
    case RunState::kFailed: return "FAILED";
    case RunState::kCancelled: return "CANCELLED";
  }
  return "?";
}

std::string_view Name(StepState state) {
  switch (state) {
    case StepState::kPending: return "PENDING";
    case StepState::kRunning: return "RUNNING";
    case StepState::kSucceeded: return "SUCCEEDED";
    case StepState::kFailed: return "FAILED";
    case StepState::kSkipped: return "SKIPPED";
    case StepState::kCancelled: return "CANCELLED";
  }
  return "?";
}

void ObserveJob(StepRun& step, const Job& job) {
  step.started_at = job.started_at;
  step.stopped_at = job.stopped_at;
  if (!job.attempts.empty()) step.exit_code = job.attempts.back().exit_code;
  switch (job.state) {
    case JobState::kSubmitted:
    case JobState::kPending:
    case JobState::kRunnable:
      step.state = StepState::kPending;
      step.reason = job.status_reason;
      return;
    case JobState::kStarting:
    case JobState::kRunning:
      step.state = StepState::kRunning;
      step.reason.clear();
      return;
    case JobState::kSucceeded:
      step.state = StepState::kSucceeded;
      step.reason.clear();
      return;
    case JobState::kFailed:
      break;
  }
  step.reason = job.status_reason;
  const bool ran = job.started_at > 0 || !job.attempts.empty();
  if (job.is_cancelled || job.is_terminated) {
    step.state = StepState::kCancelled;  // stopped by a person (or a cancelled run), not by itself
  } else if (ran) {
    step.state = StepState::kFailed;
  } else if (job.status_reason.rfind("Dependency ", 0) == 0) {
    step.state = StepState::kSkipped;  // an upstream step ended the way this step does not run on
  } else {
    step.state = StepState::kFailed;  // e.g. it can never fit its queue's compute environments
  }
}

bool Settle(PipelineRun& run, TimeMs now) {
  if (run.state != RunState::kRunning) return false;
  int failed = 0, cancelled = 0, skipped = 0;
  for (const StepRun& step : run.steps) {
    if (!IsTerminal(step.state)) return false;
    failed += step.state == StepState::kFailed;
    cancelled += step.state == StepState::kCancelled;
    skipped += step.state == StepState::kSkipped;
  }
  run.stopped_at = now;
  if (cancelled > 0) {
    run.state = RunState::kCancelled;
  } else if (failed > 0) {
    run.state = RunState::kFailed;
    std::string names;
    for (const StepRun& step : run.steps) {
      if (step.state == StepState::kFailed) names += (names.empty() ? "" : ", ") + step.name;
    }
    run.reason = std::to_string(failed) + (failed == 1 ? " step" : " steps") + " failed: " + names;
    if (skipped > 0) run.reason += "; " + std::to_string(skipped) + " skipped";
  } else {
    run.state = RunState::kSucceeded;
    run.reason = skipped > 0 ? std::to_string(skipped) + " steps skipped by their conditions" : "";
  }
  return true;
}

}  // namespace nightshift::core
