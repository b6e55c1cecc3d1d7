#include "core/explanation.h"

#include "core/job_text.h"

namespace nightshift::core {

std::string_view FactKindName(Fact::Kind kind) {
  switch (kind) {
    case Fact::Kind::kDependency:
      return "dependency";
    case Fact::Kind::kArray:
      return "array";
    case Fact::Kind::kBackoff:
      return "backoff";
    case Fact::Kind::kCapacity:
      return "capacity";
    case Fact::Kind::kComputeEnvironment:
      return "compute_environment";
    case Fact::Kind::kQueue:
      return "queue";
    case Fact::Kind::kAttempt:
      return "attempt";
    case Fact::Kind::kTimeout:
      return "timeout";
    case Fact::Kind::kCause:
      return "cause";
  }
  return "unknown";
}

bool IsSatisfiedBy(DependencyCondition condition, JobState dep_state) {
  switch (condition) {
    case DependencyCondition::kAfterOk:
    case DependencyCondition::kAfterCorr:
      return dep_state == JobState::kSucceeded;
    case DependencyCondition::kAfterAny:
      return IsTerminal(dep_state);
    case DependencyCondition::kAfterNotOk:
      return dep_state == JobState::kFailed;
  }
  return false;
}

std::vector<Fact> AttemptFacts(const Job& job) {
  std::vector<Fact> facts;
  for (size_t i = 0; i < job.attempts.size(); ++i) {
    const Attempt& a = job.attempts[i];
    std::string text = "attempt " + std::to_string(i + 1) + ": ";
    if (a.stopped_at == 0) {
      text += "started at " + FormatTime(a.started_at) + ", not ended";
    } else {
      text += a.exit_code ? "exit code " + std::to_string(*a.exit_code) : "no exit code";
      text += " at " + FormatTime(a.stopped_at);
      const std::string& why = a.reason.empty() ? a.status_reason : a.reason;
      if (!why.empty()) text += " (" + why + ")";
    }
    facts.push_back({Fact::Kind::kAttempt, std::move(text)});
  }
  return facts;
}

Explanation ExplainEnded(const Job& job) {
  Explanation e;
  e.summary = job.status_reason;
  if (e.summary.empty()) e.summary = std::string(JobStateName(job.state));
  e.facts = AttemptFacts(job);
  return e;
}

}  // namespace nightshift::core
