#include "api/rate_limiter.h"

#include <gtest/gtest.h>

#include <string>

namespace nightshift::api {
namespace {

RateLimit Limit(double per_second, double burst) {
  Result<RateLimit> limit = ParseRateLimit(std::to_string(per_second) + "/s", burst);
  EXPECT_TRUE(limit.ok()) << limit.status().message();
  return *limit;
}

TEST(RateLimitTest, ParsesPerSecondPerMinuteAndOff) {
  EXPECT_FALSE(ParseRateLimit("off", 0)->enabled());
  EXPECT_DOUBLE_EQ(ParseRateLimit("100/s", 0)->per_second, 100);
  EXPECT_DOUBLE_EQ(ParseRateLimit("100/s", 0)->burst, 100);  // default burst: one second's worth
  EXPECT_DOUBLE_EQ(ParseRateLimit("120/m", 0)->per_second, 2);
  EXPECT_DOUBLE_EQ(ParseRateLimit("0.5", 0)->burst, 1);  // never below one request
  EXPECT_DOUBLE_EQ(ParseRateLimit("10/s", 50)->burst, 50);
}

TEST(RateLimitTest, RejectsZeroNegativeAndUnknownUnits) {
  for (const char* bad : {"0/s", "-1/s", "10/h", "ten/s", "10/", "/s", "1e12"}) {
    Result<RateLimit> limit = ParseRateLimit(bad, 0);
    EXPECT_FALSE(limit.ok()) << bad;
    if (!limit.ok()) {
      EXPECT_NE(limit.status().message().find(bad), std::string::npos);
    }
  }
  EXPECT_FALSE(ParseRateLimit("10/s", -1).ok());
}

class RateLimiterTest : public testing::Test {
 protected:
  RateLimiter Limiter(double per_second, double burst) { return RateLimiter(Limit(per_second, burst), clock_); }
  FakeClock clock_;
};

TEST_F(RateLimiterTest, AllowsTheBurstThenRefusesUntilTokensRefill) {
  RateLimiter limiter = Limiter(10, 3);
  EXPECT_TRUE(limiter.Allow("AKID"));
  EXPECT_TRUE(limiter.Allow("AKID"));
  EXPECT_TRUE(limiter.Allow("AKID"));
  EXPECT_FALSE(limiter.Allow("AKID"));
  clock_.Advance(99);  // 0.99 tokens
  EXPECT_FALSE(limiter.Allow("AKID"));
  clock_.Advance(1);  // one token at 10/s after 100 ms
  EXPECT_TRUE(limiter.Allow("AKID"));
  EXPECT_FALSE(limiter.Allow("AKID"));
}

TEST_F(RateLimiterTest, RefillStopsAtTheBurst) {
  RateLimiter limiter = Limiter(10, 2);
  clock_.Advance(60'000);  // a long pause does not bank more than the burst
  EXPECT_TRUE(limiter.Allow("a"));
  EXPECT_TRUE(limiter.Allow("a"));
  EXPECT_FALSE(limiter.Allow("a"));
}

TEST_F(RateLimiterTest, OneClientEmptyingItsBucketDoesNotThrottleAnother) {
  RateLimiter limiter = Limiter(1, 1);
  EXPECT_TRUE(limiter.Allow("greedy"));
  EXPECT_FALSE(limiter.Allow("greedy"));
  EXPECT_TRUE(limiter.Allow("other"));
  EXPECT_TRUE(limiter.Allow("addr:127.0.0.2"));
}

TEST_F(RateLimiterTest, AClockGoingBackwardsRefillsNothing) {
  RateLimiter limiter = Limiter(1, 1);
  EXPECT_TRUE(limiter.Allow("a"));
  clock_.Advance(-10'000);
  EXPECT_FALSE(limiter.Allow("a"));
  clock_.Advance(10'000);  // back where it was: still less than a second since the take
  EXPECT_FALSE(limiter.Allow("a"));
}

TEST_F(RateLimiterTest, OffAllowsEverythingAndTracksNobody) {
  RateLimiter limiter(RateLimit{}, clock_);
  for (int i = 0; i < 10'000; ++i) ASSERT_TRUE(limiter.Allow("a"));
  EXPECT_EQ(limiter.tracked_clients(), 0u);
}

TEST_F(RateLimiterTest, ForgetsRefilledBucketsSoManyClientsDoNotGrowMemory) {
  RateLimiter limiter = Limiter(100, 1);
  for (int round = 0; round < 10; ++round) {
    for (int i = 0; i < 1000; ++i) ASSERT_TRUE(limiter.Allow("client-" + std::to_string(round) + "-" + std::to_string(i)));
    clock_.Advance(1000);  // every bucket is full again a second later
  }
  EXPECT_LT(limiter.tracked_clients(), 2100u);
}

}  // namespace
}  // namespace nightshift::api
