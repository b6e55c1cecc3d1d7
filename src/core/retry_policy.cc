#include "core/retry_policy.h"

#include <algorithm>
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

TimeMs RetryDelayMs(const RetryBackoff& backoff, int attempts_made, uint64_t seed) {
  double delay = static_cast<double>(backoff.delay_ms);
  for (int i = 1; i < attempts_made; ++i) {
    delay *= backoff.factor;
    if (backoff.max_delay_ms > 0 && delay >= static_cast<double>(backoff.max_delay_ms)) break;
  }
  if (backoff.max_delay_ms > 0) delay = std::min(delay, static_cast<double>(backoff.max_delay_ms));
  if (backoff.jitter) {
    // SplitMix64 of the seed, to a fraction in [0, 1).
    uint64_t z = seed + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    const double fraction = static_cast<double>(z >> 11) / static_cast<double>(1ULL << 53);
    delay = delay / 2 + delay / 2 * fraction;
  }
  return static_cast<TimeMs>(delay);
}

}  // namespace nightshift::core
