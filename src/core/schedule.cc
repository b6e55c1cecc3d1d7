#include "core/schedule.h"

#include <array>
#include <utility>

namespace nightshift::core {
namespace {

template <typename Enum, size_t N>
using NameTable = std::array<std::pair<Enum, std::string_view>, N>;

constexpr NameTable<ScheduleState, 2> kStates = {{{ScheduleState::kEnabled, "ENABLED"},
                                                  {ScheduleState::kDisabled, "DISABLED"}}};
constexpr NameTable<OverlapPolicy, 6> kOverlaps = {{{OverlapPolicy::kSkip, "skip"},
                                                    {OverlapPolicy::kBufferOne, "buffer_one"},
                                                    {OverlapPolicy::kBufferAll, "buffer_all"},
                                                    {OverlapPolicy::kCancelOther, "cancel_other"},
                                                    {OverlapPolicy::kTerminateOther, "terminate_other"},
                                                    {OverlapPolicy::kAllowAll, "allow_all"}}};
constexpr NameTable<CatchUpPolicy, 3> kCatchUps = {{{CatchUpPolicy::kNone, "none"},
                                                    {CatchUpPolicy::kLatest, "latest"},
                                                    {CatchUpPolicy::kAll, "all"}}};
constexpr NameTable<AfterCompletion, 2> kAfterCompletions = {{{AfterCompletion::kNone, "NONE"},
                                                              {AfterCompletion::kDelete, "DELETE"}}};
constexpr NameTable<FireTrigger, 3> kTriggers = {{{FireTrigger::kSchedule, "schedule"},
                                                  {FireTrigger::kManual, "manual"},
                                                  {FireTrigger::kBackfill, "backfill"}}};
constexpr NameTable<FireOutcome, 5> kOutcomes = {{{FireOutcome::kStarted, "started"},
                                                  {FireOutcome::kSkipped, "skipped"},
                                                  {FireOutcome::kMerged, "merged"},
                                                  {FireOutcome::kBuffered, "buffered"},
                                                  {FireOutcome::kFailed, "failed"}}};

template <typename Enum, size_t N>
std::string_view NameIn(const NameTable<Enum, N>& table, Enum value) {
  for (const auto& [e, name] : table) {
    if (e == value) return name;
  }
  return "?";
}

template <typename Enum, size_t N>
Result<Enum> ParseIn(const NameTable<Enum, N>& table, std::string_view text, std::string_view what) {
  std::string accepted;
  for (const auto& [e, name] : table) {
    if (name == text) return e;
    accepted += (accepted.empty() ? "" : ", ") + std::string(name);
  }
  return Status::InvalidArgument(std::string(what) + " '" + std::string(text) + "' is not one of " + accepted);
}

}  // namespace

std::string_view Name(ScheduleState state) { return NameIn(kStates, state); }
std::string_view Name(OverlapPolicy policy) { return NameIn(kOverlaps, policy); }
std::string_view Name(CatchUpPolicy policy) { return NameIn(kCatchUps, policy); }
std::string_view Name(AfterCompletion action) { return NameIn(kAfterCompletions, action); }
std::string_view Name(FireTrigger trigger) { return NameIn(kTriggers, trigger); }
std::string_view Name(FireOutcome outcome) { return NameIn(kOutcomes, outcome); }

Result<ScheduleState> ParseScheduleState(std::string_view text) { return ParseIn(kStates, text, "State"); }
Result<OverlapPolicy> ParseOverlapPolicy(std::string_view text) { return ParseIn(kOverlaps, text, "overlap policy"); }
Result<CatchUpPolicy> ParseCatchUpPolicy(std::string_view text) { return ParseIn(kCatchUps, text, "catch-up policy"); }
Result<AfterCompletion> ParseAfterCompletion(std::string_view text) {
  return ParseIn(kAfterCompletions, text, "ActionAfterCompletion");
}

}  // namespace nightshift::core
