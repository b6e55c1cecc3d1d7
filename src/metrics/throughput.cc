#include "metrics/throughput.h"

#include <cstddef>

namespace nightshift::metrics {
namespace {

constexpr int64_t kMinuteMs = 60'000;

int64_t MinuteOf(TimeMs t) { return t >= 0 ? t / kMinuteMs : (t - kMinuteMs + 1) / kMinuteMs; }

size_t Slot(int64_t minute) {
  return static_cast<size_t>(((minute % Throughput::kMinutes) + Throughput::kMinutes) % Throughput::kMinutes);
}

}  // namespace

void Throughput::Note(TimeMs at, bool succeeded) {
  const int64_t minute = MinuteOf(at);
  if (newest_minute_ >= 0 && minute <= newest_minute_ - kMinutes) return;
  Bucket& b = buckets_[Slot(minute)];
  if (b.minute != minute) b = {minute, 0, 0};  // the slot held a minute that left the window
  ++(succeeded ? b.succeeded : b.failed);
  if (minute > newest_minute_) newest_minute_ = minute;
}

std::vector<Throughput::Minute> Throughput::Recent(TimeMs now) const {
  const int64_t last = MinuteOf(now);
  std::vector<Minute> out;
  out.reserve(kMinutes);
  for (int64_t m = last - kMinutes + 1; m <= last; ++m) {
    Minute minute{m * kMinuteMs, 0, 0};
    const Bucket& b = buckets_[Slot(m)];
    if (b.minute == m) {
      minute.succeeded = b.succeeded;
      minute.failed = b.failed;
    }
    out.push_back(minute);
  }
  return out;
}

}  // namespace nightshift::metrics
