#include "core/job_state.h"

#include <array>

namespace nightshift::core {
namespace {
constexpr std::array<std::string_view, 7> kNames = {"SUBMITTED", "PENDING",   "RUNNABLE", "STARTING",
                                                    "RUNNING",   "SUCCEEDED", "FAILED"};
}  // namespace

std::string_view JobStateName(JobState state) { return kNames[static_cast<size_t>(state)]; }

std::optional<JobState> ParseJobState(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<JobState>(i);
  }
  return std::nullopt;
}

}  // namespace nightshift::core
