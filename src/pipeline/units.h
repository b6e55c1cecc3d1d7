// Durations and memory sizes as written in pipeline files. Pure functions over text.
#pragma once

#include <cstdint>
#include <string_view>

#include "util/status.h"

namespace nightshift::pipeline {

// Longest duration accepted anywhere: 100 years, far below where seconds * 1000 overflows.
inline constexpr int64_t kMaxDurationSeconds = 100LL * 365 * 86400;
// Largest memory accepted: 1 PiB.
inline constexpr int64_t kMaxMemoryMib = 1LL << 30;

// Whole seconds ("90"), or numbers with units from largest to smallest, each at most once:
// "90s", "30m", "6h", "1d", "1h30m", "1d12h". Zero is accepted; callers impose their minimum.
// Errors: kInvalidArgument describing the accepted forms, or "longer than 100 years".
Result<int64_t> ParseDurationSeconds(std::string_view text);

// Whole MiB ("512"), or a number with a unit: "Mi" and "Gi" are binary (2^20, 2^30 bytes), "M"
// and "G" decimal (10^6, 10^9 bytes, rounded up to whole MiB), as in Kubernetes: "2G" is 1908 MiB.
// Errors: kInvalidArgument describing the accepted forms; zero or more than 1 PiB.
Result<int64_t> ParseMemoryMib(std::string_view text);

}  // namespace nightshift::pipeline
