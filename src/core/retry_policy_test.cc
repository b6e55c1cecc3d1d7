#include "core/retry_policy.h"

#include <gtest/gtest.h>

#include <set>

namespace nightshift::core {
namespace {

Attempt ExitedWith(int code, std::string reason = "", std::string status_reason = "") {
  Attempt a;
  a.exit_code = code;
  a.reason = std::move(reason);
  a.status_reason = std::move(status_reason);
  return a;
}

TEST(RetryPolicyTest, TrailingStarMatchesPrefixOnly) {
  EXPECT_TRUE(MatchesExitPattern("1*", "137"));
  EXPECT_TRUE(MatchesExitPattern("137", "137"));
  EXPECT_FALSE(MatchesExitPattern("13", "137"));
  EXPECT_FALSE(MatchesExitPattern("*7", "137"));
  EXPECT_TRUE(MatchesExitPattern("*", ""));
}

TEST(RetryPolicyTest, NoRulesRetriesWhileAttemptsRemain) {
  RetryStrategy s{3, {}};
  EXPECT_EQ(DecideRetry(s, ExitedWith(1), 1), RetryAction::kRetry);
  EXPECT_EQ(DecideRetry(s, ExitedWith(1), 2), RetryAction::kRetry);
  EXPECT_EQ(DecideRetry(s, ExitedWith(1), 3), RetryAction::kExit);
}

TEST(RetryPolicyTest, FirstMatchingRuleWins) {
  RetryStrategy s{5,
                  {{RetryAction::kExit, "", "", "3"},
                   {RetryAction::kRetry, "", "", "*"}}};
  EXPECT_EQ(DecideRetry(s, ExitedWith(3), 1), RetryAction::kExit);
  EXPECT_EQ(DecideRetry(s, ExitedWith(4), 1), RetryAction::kRetry);
}

TEST(RetryPolicyTest, AllConditionsOfARuleMustMatch) {
  RetryStrategy s{5, {{RetryAction::kExit, "Essential*", "", "2"}}};
  EXPECT_EQ(DecideRetry(s, ExitedWith(2, "", "Essential container in task exited"), 1),
            RetryAction::kExit);
  EXPECT_EQ(DecideRetry(s, ExitedWith(2, "", "Other"), 1), RetryAction::kRetry);
}

TEST(RetryPolicyTest, ExitCodeRuleDoesNotMatchAttemptWithoutExitCode) {
  RetryStrategy s{5, {{RetryAction::kExit, "", "", "*"}}};
  Attempt spawn_failed;
  spawn_failed.reason = "CannotStartContainerError: x";
  EXPECT_EQ(DecideRetry(s, spawn_failed, 1), RetryAction::kRetry);
}

TEST(RetryPolicyTest, BackoffGrowsByItsFactorUpToItsMaximum) {
  RetryBackoff backoff{.delay_ms = 1000, .factor = 3, .max_delay_ms = 20'000, .jitter = false};
  EXPECT_EQ(RetryDelayMs(backoff, 1, 0), 1000);
  EXPECT_EQ(RetryDelayMs(backoff, 2, 0), 3000);
  EXPECT_EQ(RetryDelayMs(backoff, 3, 0), 9000);
  EXPECT_EQ(RetryDelayMs(backoff, 4, 0), 20'000);
  EXPECT_EQ(RetryDelayMs(backoff, 9, 0), 20'000);
  backoff.max_delay_ms = 0;  // unbounded
  EXPECT_EQ(RetryDelayMs(backoff, 5, 0), 81'000);
}

TEST(RetryPolicyTest, JitterStaysInTheUpperHalfAndDependsOnlyOnTheSeed) {
  RetryBackoff backoff{.delay_ms = 10'000, .factor = 1, .max_delay_ms = 0, .jitter = true};
  std::set<TimeMs> seen;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    TimeMs delay = RetryDelayMs(backoff, 2, seed);
    EXPECT_GE(delay, 5000);
    EXPECT_LE(delay, 10'000);
    EXPECT_EQ(delay, RetryDelayMs(backoff, 2, seed));
    seen.insert(delay);
  }
  EXPECT_GT(seen.size(), 150u);  // spread, not one value
}

}  // namespace
}  // namespace nightshift::core
