// JobState: AWS Batch's job lifecycle, exactly.
//   SUBMITTED -> PENDING (waiting on dependencies) -> RUNNABLE (waiting for capacity)
//   -> STARTING -> RUNNING -> SUCCEEDED | FAILED.
// A failed attempt with attempts left goes back to RUNNABLE.
#pragma once

#include <optional>
#include <string_view>

namespace nightshift::core {

enum class JobState { kSubmitted, kPending, kRunnable, kStarting, kRunning, kSucceeded, kFailed };

std::string_view JobStateName(JobState state);  // "SUBMITTED", ...
std::optional<JobState> ParseJobState(std::string_view name);
inline bool IsTerminal(JobState s) { return s == JobState::kSucceeded || s == JobState::kFailed; }
inline bool HasStarted(JobState s) {
  return s == JobState::kStarting || s == JobState::kRunning || IsTerminal(s);
}

}  // namespace nightshift::core
