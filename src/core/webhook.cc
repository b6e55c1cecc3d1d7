#include "core/webhook.h"

#include <algorithm>

namespace nightshift::core {

std::optional<int64_t> RetryDelayMs(const WebhookRetry& retry, int attempt) {
  if (attempt < 1 || attempt >= retry.max_attempts) return std::nullopt;
  int64_t delay = retry.initial_delay_ms;
  for (int i = 1; i < attempt && delay < retry.max_delay_ms; ++i) delay *= 2;
  return std::min(delay, retry.max_delay_ms);
}

std::string_view Name(DeliveryOutcome outcome) {
  switch (outcome) {
    case DeliveryOutcome::kDelivered:
      return "delivered";
    case DeliveryOutcome::kRetrying:
      return "retrying";
    case DeliveryOutcome::kGaveUp:
      return "gave_up";
  }
  return "delivered";
}

std::optional<DeliveryOutcome> ParseDeliveryOutcome(std::string_view text) {
  for (DeliveryOutcome o :
       {DeliveryOutcome::kDelivered, DeliveryOutcome::kRetrying, DeliveryOutcome::kGaveUp}) {
    if (Name(o) == text) return o;
  }
  return std::nullopt;
}

}  // namespace nightshift::core
