// Explanation: why a job is where it is — waiting on a dependency, for capacity, in a retry
// backoff, running, or why it ended — as one line (what the job's statusReason says) and the
// facts behind it, each of a kind a program can act on. `nightshift why`, the API's
// /api/v1/jobs/{id}/why and the UI show it. Scheduler::Why explains active jobs; ExplainEnded
// finished ones (the engine adds the cause of a cascade, which needs the store).
// Thread-safety: plain values and pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/job.h"

namespace nightshift::core {

struct Fact {
  enum class Kind {
    kDependency,          // a dependency and its state
    kArray,               // an array parent's children
    kBackoff,             // a retry waits until a time
    kCapacity,            // what a compute environment has in use and free
    kComputeEnvironment,  // a compute environment that cannot take jobs (DISABLED)
    kQueue,               // jobs ahead in the queue or in higher-priority queues
    kAttempt,             // one attempt and how it ended
    kTimeout,             // when a running attempt times out
    kCause,               // the job whose failure failed this one (a cascade)
  };
  Kind kind;
  std::string text;
};

std::string_view FactKindName(Fact::Kind kind);  // "dependency", "capacity", ...

struct Explanation {
  std::string summary;
  std::vector<Fact> facts;
};

// Whether a dependency that ended in `dep_state` lets its dependent run.
bool IsSatisfiedBy(DependencyCondition condition, JobState dep_state);

// One kAttempt fact per attempt: "attempt 2: exit code 3 at 2026-...Z (reason)".
std::vector<Fact> AttemptFacts(const Job& job);

// A SUCCEEDED or FAILED job: its statusReason and its attempts.
Explanation ExplainEnded(const Job& job);

}  // namespace nightshift::core
