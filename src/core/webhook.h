// Webhooks: subscriptions that receive matching events as signed HTTP POSTs, the record of each
// delivery attempt, and the retry schedule (exponential backoff with a bounded number of
// attempts). Delivery is at least once: a subscription's cursor is the id of the last event it
// is done with (delivered, or given up after its last attempt), and it is committed with the
// delivery record, so after a restart delivery resumes after the cursor.
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/event.h"
#include "util/clock.h"

namespace nightshift::core {

struct WebhookRetry {
  int max_attempts = 8;               // attempts per event, the first included
  int64_t initial_delay_ms = 30'000;  // before the second attempt; doubles after each failure
  int64_t max_delay_ms = 3'600'000;   // no single wait is longer
};

// Defaults: 8 attempts; waits of 30 s, 1, 2, 4, 8, 16 and 32 min: the last attempt is about
// 63 minutes after the first.
// The wait after failed attempt `attempt` (1-based) before the next one, or nullopt when
// `attempt` was the last.
std::optional<int64_t> RetryDelayMs(const WebhookRetry& retry, int attempt);

struct WebhookSubscription {
  std::string id;
  std::string url;     // http://host[:port]/path
  std::string secret;  // HMAC-SHA256 key of the signature header; never shown back
  EventFilter filter;
  WebhookRetry retry;
  std::string description;
  TimeMs created_at = 0;
  uint64_t cursor = 0;  // the last event id this subscription is done with
};

enum class DeliveryOutcome {
  kDelivered,  // the receiver answered 2xx
  kRetrying,   // failed; another attempt follows
  kGaveUp,     // failed on the last attempt; the event is skipped
};

std::string_view Name(DeliveryOutcome outcome);  // delivered | retrying | gave_up
std::optional<DeliveryOutcome> ParseDeliveryOutcome(std::string_view text);

// One attempt to deliver one event to one subscription.
struct WebhookDelivery {
  std::string subscription;
  uint64_t event_id = 0;
  int attempt = 1;
  TimeMs at = 0;
  int http_status = 0;  // 0: no answer (refused, timed out, ...)
  int64_t duration_ms = 0;
  DeliveryOutcome outcome = DeliveryOutcome::kDelivered;
  std::string error;
  TimeMs next_attempt_at = 0;  // kRetrying: when
};

}  // namespace nightshift::core
