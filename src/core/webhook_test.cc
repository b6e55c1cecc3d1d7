#include "core/webhook.h"

#include <gtest/gtest.h>

namespace nightshift::core {
namespace {

TEST(WebhookRetryTest, DefaultScheduleDoublesFromThirtySecondsOverAboutAnHour) {
  WebhookRetry retry;
  std::vector<int64_t> waits;
  for (int attempt = 1; std::optional<int64_t> d = RetryDelayMs(retry, attempt); ++attempt)
    waits.push_back(*d);
  const std::vector<int64_t> expected = {30'000,  60'000,  120'000,  240'000,
                                         480'000, 960'000, 1'920'000};
  EXPECT_EQ(waits, expected);  // 7 waits: 8 attempts
  int64_t total = 0;
  for (int64_t w : waits) total += w;
  EXPECT_EQ(total, 3'810'000);  // the last attempt 63.5 minutes after the first
}

TEST(WebhookRetryTest, NoWaitAfterTheLastAttempt) {
  WebhookRetry retry;
  retry.max_attempts = 3;
  EXPECT_TRUE(RetryDelayMs(retry, 2).has_value());
  EXPECT_FALSE(RetryDelayMs(retry, 3).has_value());
  EXPECT_FALSE(RetryDelayMs(retry, 0).has_value());
}

TEST(WebhookRetryTest, WaitsAreCappedAtTheMaximum) {
  WebhookRetry retry;
  retry.max_attempts = 20;
  retry.initial_delay_ms = 1000;
  retry.max_delay_ms = 5000;
  EXPECT_EQ(RetryDelayMs(retry, 3), 4000);
  EXPECT_EQ(RetryDelayMs(retry, 4), 5000);
  EXPECT_EQ(RetryDelayMs(retry, 19), 5000);
}

TEST(WebhookDeliveryTest, OutcomeNamesReadBack) {
  for (DeliveryOutcome o :
       {DeliveryOutcome::kDelivered, DeliveryOutcome::kRetrying, DeliveryOutcome::kGaveUp}) {
    EXPECT_EQ(ParseDeliveryOutcome(Name(o)), o);
  }
}

}  // namespace
}  // namespace nightshift::core
