// RateLimiter: a token bucket per client, so that one client cannot take the whole server. A
// client is the access key id a request was signed with, or its remote address when the request
// is anonymous (no keys configured, or an open route). Each bucket holds at most `burst` tokens,
// refills at `per_second` tokens a second, and every request takes one; a request that finds its
// bucket empty is refused (the router answers 429 ThrottlingException).
// Buckets that have refilled completely are forgotten (a full bucket is the same as none), so
// memory stays bounded by the clients seen within about burst/per_second seconds.
// Thread-safety: not thread-safe; the server's loop thread only. The clock must be thread-safe
// (every Clock is).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "util/clock.h"
#include "util/status.h"

namespace nightshift::api {

struct RateLimit {
  double per_second = 0;  // 0: no limit
  double burst = 0;       // bucket size, at least 1 when per_second > 0
  bool enabled() const { return per_second > 0; }
};

// Parses a --rate-limit value: "off", "N/s", "N/m" or "N" (per second), N > 0 (fractions
// allowed). `burst` 0 means one second's worth of the rate (at least 1). Errors: kInvalidArgument
// saying what the accepted forms are.
[[nodiscard]] Result<RateLimit> ParseRateLimit(std::string_view text, double burst);

// One bucket. Times are microseconds of the limiter's clock; a clock that goes backwards
// refills nothing.
class TokenBucket {
 public:
  TokenBucket(const RateLimit& limit, int64_t now_us) : tokens_(limit.burst), updated_us_(now_us) {}
  // Takes one token if there is one.
  bool TryTake(const RateLimit& limit, int64_t now_us);
  // Whether the bucket would be full at `now_us` (and so can be forgotten).
  bool FullAt(const RateLimit& limit, int64_t now_us) const;

 private:
  double TokensAt(const RateLimit& limit, int64_t now_us) const;

  double tokens_;
  int64_t updated_us_;
};

class RateLimiter {
 public:
  RateLimiter(RateLimit limit, const Clock& clock) : limit_(limit), clock_(clock) {}

  // Whether the client may make one more request now (always true when the limit is off).
  bool Allow(const std::string& client);

  size_t tracked_clients() const { return buckets_.size(); }
  const RateLimit& limit() const { return limit_; }

 private:
  void ForgetFullBuckets(int64_t now_us);

  RateLimit limit_;
  const Clock& clock_;
  std::unordered_map<std::string, TokenBucket> buckets_;
  size_t prune_at_ = 1024;  // size of buckets_ that triggers the next ForgetFullBuckets
};

}  // namespace nightshift::api
