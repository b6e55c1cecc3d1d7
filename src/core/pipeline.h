// Pipelines as the engine keeps them: stored versions of a pipeline file, and runs — one
// execution of a version for a logical time, whose steps are jobs.
// Thread-safety: plain values owned by the engine's loop.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/job.h"
#include "util/clock.h"
#include "util/status.h"

namespace nightshift::core {

// One version of a pipeline: the file as applied. A new version is made only when the content
// (or the directory its relative commands resolve against) changes; runs keep their version.
struct PipelineVersion {
  std::string name;
  int version = 1;
  std::string source;    // the file's text (YAML or JSON)
  std::string base_dir;  // relative commands and the steps' working directory
  std::string digest;    // of source and base_dir
  TimeMs created_at = 0;
  bool deleted = false;  // the pipeline was deleted; kept for the runs that used it
};

enum class RunState { kRunning, kSucceeded, kFailed, kCancelled };

enum class StepState {
  kPending,    // its job waits (dependencies, capacity) or is not submitted yet
  kRunning,    // its job is starting or running
  kSucceeded,
  kFailed,     // its job ran and failed
  kSkipped,    // it could not run: an upstream step ended the wrong way (reason says which)
  kCancelled,  // the run was cancelled before it ended
};

struct StepRun {
  std::string name;
  std::string job_id;  // the job of the current try; empty before submission
  StepState state = StepState::kPending;
  std::string reason;
  TimeMs submitted_at = 0;
  TimeMs started_at = 0;
  TimeMs stopped_at = 0;
  std::optional<int> exit_code;
  int tries = 0;  // how many times the step was submitted (reruns from failure add one)
};

struct PipelineRun {
  std::string id;
  std::string pipeline;
  int version = 1;
  TimeMs logical_time = 0;
  std::string trigger;  // manual | schedule | backfill
  std::map<std::string, std::string> params;  // resolved: defaults plus the run's own
  RunState state = RunState::kRunning;
  std::string reason;
  TimeMs created_at = 0;
  TimeMs stopped_at = 0;
  int tries = 1;                // 1 + reruns from failure
  std::vector<StepRun> steps;   // in the pipeline's topological order
  uint64_t seq = 0;             // creation order
};

std::string_view Name(RunState state);   // RUNNING | SUCCEEDED | FAILED | CANCELLED
std::string_view Name(StepState state);  // PENDING | RUNNING | SUCCEEDED | FAILED | SKIPPED | CANCELLED
inline bool IsTerminal(StepState s) { return s != StepState::kPending && s != StepState::kRunning; }

// The step as its job now is: pending, running, succeeded; cancelled if its job was cancelled
// or terminated (a cancelled run does both); failed if it ran and failed; skipped if it never ran
// because an upstream step ended the way this step does not run on (the job's reason names it).
// A `completion` step runs after a skipped upstream step too: skipped is an ending.
void ObserveJob(StepRun& step, const Job& job);

// Once every step has ended, ends the run: CANCELLED if a step was cancelled, else FAILED if a
// step failed — whatever its downstream steps' conditions did — else SUCCEEDED. Returns whether
// the run ended now.
bool Settle(PipelineRun& run, TimeMs now);

}  // namespace nightshift::core
