#include "util/ids.h"

#include <cstdio>

namespace nightshift {
namespace {

constexpr uint32_t kCounterMax = 0xFFF;  // 12 bits

// The 128 bits `hi`:`lo`, with their version and variant already set, as 8-4-4-4-12 hex.
std::string Format(uint64_t hi, uint64_t lo) {
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                static_cast<unsigned>(lo >> 48), static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  return buf;
}

uint64_t WithVariant(uint64_t lo) { return (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL; }  // 10

}  // namespace

IdGenerator::IdGenerator() : rng_((static_cast<uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}()) {}

std::string IdGenerator::NewUuid() {
  const uint64_t hi = (rng_() & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  return Format(hi, WithVariant(rng_()));
}

std::string IdGenerator::NewTimeOrderedUuid(int64_t unix_ms) {
  const uint64_t now = unix_ms > 0 ? static_cast<uint64_t>(unix_ms) & 0xFFFFFFFFFFFFULL : 0;
  if (now > last_ms_) {
    last_ms_ = now;
    // A random start in the lower half leaves at least 2,048 IDs for this millisecond.
    counter_ = static_cast<uint32_t>(rng_() & (kCounterMax >> 1));
  } else if (counter_ < kCounterMax) {
    ++counter_;  // the same millisecond, or the clock stepped back: keep counting
  } else {
    ++last_ms_;  // the counter ran out: borrow the next millisecond
    counter_ = 0;
  }
  const uint64_t hi = (last_ms_ << 16) | 0x7000ULL | counter_;  // version 7
  return Format(hi, WithVariant(rng_()));
}

}  // namespace nightshift
