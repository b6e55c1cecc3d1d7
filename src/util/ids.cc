#include "util/ids.h"

#include <cstdio>

namespace nightshift {

IdGenerator::IdGenerator() : rng_((static_cast<uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}()) {}

std::string IdGenerator::NewUuid() {
  uint64_t hi = rng_();
  uint64_t lo = rng_();
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // variant 10
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  return buf;
}

}  // namespace nightshift
