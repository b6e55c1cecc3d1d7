#include "core/retry_policy.h"

#include <string>

namespace nightshift::core {

bool MatchesExitPattern(std::string_view pattern, std::string_view text) {
  if (!pattern.empty() && pattern.back() == '*') {
    pattern.remove_suffix(1);
    return text.substr(0, pattern.size()) == pattern;
  }
  return pattern == text;
}

namespace {

bool RuleMatches(const RetryRule& rule, const Attempt& attempt) {
  if (!rule.on_exit_code.empty()) {
    if (!attempt.exit_code) return false;
    if (!MatchesExitPattern(rule.on_exit_code, std::to_string(*attempt.exit_code))) return false;
  }
  if (!rule.on_reason.empty() && !MatchesExitPattern(rule.on_reason, attempt.reason)) return false;
  if (!rule.on_status_reason.empty() &&
      !MatchesExitPattern(rule.on_status_reason, attempt.status_reason)) {
    return false;
  }
  return true;
}

}  // namespace

RetryAction DecideRetry(const RetryStrategy& strategy, const Attempt& failed, int attempts_made) {
  if (attempts_made >= strategy.attempts) return RetryAction::kExit;
  for (const RetryRule& rule : strategy.evaluate_on_exit) {
    if (RuleMatches(rule, failed)) return rule.action;
  }
  return RetryAction::kRetry;
}

}  // namespace nightshift::core
