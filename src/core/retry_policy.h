// Retry decisions: AWS Batch's retryStrategy with evaluateOnExit rules. Pure functions.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/job.h"

namespace nightshift::core {

// AWS pattern matching: the whole text must match, except that a pattern ending in '*' matches
// any text that starts with what precedes the '*'.
bool MatchesExitPattern(std::string_view pattern, std::string_view text);

// Whether a failed attempt is retried. `attempts_made` counts the attempt that just failed.
// Rules are tried in order; the first whose every given condition matches decides. When no rule
// matches (or none is given) the job is retried while attempts remain.
RetryAction DecideRetry(const RetryStrategy& strategy, const Attempt& failed, int attempts_made);

// How long to wait before the retry that follows attempt `attempts_made` (1-based), per
// RetryBackoff; `seed` picks the jittered point (the same seed, the same delay).
TimeMs RetryDelayMs(const RetryBackoff& backoff, int attempts_made, uint64_t seed);

}  // namespace nightshift::core
