// Clock: the only source of "now" for the engine. Core and schedule code never read a clock;
// they take times as arguments. Times are milliseconds since the Unix epoch (AWS Batch's unit).
// Thread-safety: implementations must be safe to call from any thread.
#pragma once

#include <cstdint>

namespace nightshift {

using TimeMs = int64_t;  // milliseconds since 1970-01-01T00:00:00Z

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimeMs NowMs() const = 0;
  // Microseconds since the epoch, for timers that must not lose the fraction of a millisecond.
  virtual int64_t NowUs() const { return NowMs() * 1000; }
};

// Reads CLOCK_REALTIME.
class SystemClock final : public Clock {
 public:
  TimeMs NowMs() const override;
  int64_t NowUs() const override;
};

// A clock for tests: time moves only when told.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimeMs start = 1'700'000'000'000) : now_(start) {}
  TimeMs NowMs() const override { return now_; }
  void Advance(TimeMs ms) { now_ += ms; }
  void Set(TimeMs ms) { now_ = ms; }

 private:
  TimeMs now_;
};

}  // namespace nightshift
