// Identifier generation in the form AWS Batch uses for job IDs (8-4-4-4-12 lower-case hex):
//  * NewUuid: a random version-4 UUID, for identifiers that are looked up and never ranged over.
//  * NewTimeOrderedUuid: a version-7 UUID (RFC 9562): 48 bits of Unix milliseconds, then a
//    12-bit counter, then 62 random bits. Successive IDs from one generator sort in the order
//    they were made (as text too), so a store's index on them grows at its end: a commit of N new
//    jobs dirties one or two index pages instead of N random ones. Within one millisecond the
//    counter orders them; when it runs out, or the clock steps back, the timestamp field moves
//    ahead of the clock just enough to stay increasing (RFC 9562 §6.2, methods 1 and 3).
// Thread-safety: IdGenerator is not thread-safe; give each thread its own.
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace nightshift {

class IdGenerator {
 public:
  IdGenerator();  // seeded from std::random_device
  explicit IdGenerator(uint64_t seed) : rng_(seed) {}
  std::string NewUuid();
  // `unix_ms`: the current time in milliseconds since the Unix epoch.
  std::string NewTimeOrderedUuid(int64_t unix_ms);

 private:
  std::mt19937_64 rng_;
  uint64_t last_ms_ = 0;  // the timestamp field of the last time-ordered ID
  uint32_t counter_ = 0;  // its 12-bit counter
};

}  // namespace nightshift
