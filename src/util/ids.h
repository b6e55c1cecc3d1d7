// Identifier generation: random version-4 UUIDs, the form AWS Batch uses for job IDs.
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

 private:
  std::mt19937_64 rng_;
};

}  // namespace nightshift
