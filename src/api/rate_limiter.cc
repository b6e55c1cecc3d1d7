#include "api/rate_limiter.h"

#include <algorithm>
#include <cstdlib>
#include <string>

namespace nightshift::api {

Result<RateLimit> ParseRateLimit(std::string_view text, double burst) {
  if (text == "off" || text.empty()) return RateLimit{};
  double per = 1;
  std::string number(text);
  if (number.size() > 2 && number[number.size() - 2] == '/') {
    const char unit = number.back();
    if (unit != 's' && unit != 'm') {
      return Status::InvalidArgument("rate limit '" + std::string(text) + "': the unit must be /s or /m");
    }
    per = unit == 's' ? 1 : 60;
    number.resize(number.size() - 2);
  }
  char* end = nullptr;
  const double n = std::strtod(number.c_str(), &end);
  if (number.empty() || *end != '\0' || !(n > 0) || n > 1e9) {
    return Status::InvalidArgument("rate limit '" + std::string(text) +
                                   "': expected off, N/s, N/m or N (requests a second), N > 0");
  }
  if (burst < 0) return Status::InvalidArgument("rate burst must not be negative");
  RateLimit limit;
  limit.per_second = n / per;
  limit.burst = burst > 0 ? burst : std::max(1.0, limit.per_second);
  return limit;
}

double TokenBucket::TokensAt(const RateLimit& limit, int64_t now_us) const {
  const double elapsed_s = static_cast<double>(std::max<int64_t>(0, now_us - updated_us_)) / 1e6;
  return std::min(limit.burst, tokens_ + elapsed_s * limit.per_second);
}

bool TokenBucket::TryTake(const RateLimit& limit, int64_t now_us) {
  tokens_ = TokensAt(limit, now_us);
  updated_us_ = std::max(updated_us_, now_us);
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

bool TokenBucket::FullAt(const RateLimit& limit, int64_t now_us) const { return TokensAt(limit, now_us) >= limit.burst; }

bool RateLimiter::Allow(const std::string& client) {
  if (!limit_.enabled()) return true;
  const int64_t now_us = clock_.NowUs();
  if (buckets_.size() >= prune_at_) ForgetFullBuckets(now_us);
  auto [it, added] = buckets_.try_emplace(client, limit_, now_us);
  return it->second.TryTake(limit_, now_us);
}

// Amortised: the next prune waits until the map has doubled from what is left.
void RateLimiter::ForgetFullBuckets(int64_t now_us) {
  std::erase_if(buckets_, [&](const auto& entry) { return entry.second.FullAt(limit_, now_us); });
  prune_at_ = std::max<size_t>(1024, buckets_.size() * 2);
}

}  // namespace nightshift::api
