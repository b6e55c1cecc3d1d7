// The UTC offsets of one time zone over time, as intervals of constant offset: the transitions
// the zone file lists, then the POSIX rule from the file's footer for the years after them.
// Immutable after construction; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "schedule/posix_tz.h"

namespace nightshift::schedule {

// Far enough out that adding any offset or a day cannot overflow.
inline constexpr int64_t kNegInfinity = INT64_MIN / 4;
inline constexpr int64_t kInfinity = INT64_MAX / 4;

// A maximal run of seconds with one offset, and the offsets of its neighbours (which tell
// whether local times near its edges are skipped or repeated).
struct OffsetInterval {
  int64_t begin;    // first second with `offset`, kNegInfinity when there is no earlier change
  int64_t end;      // first second after it, kInfinity when there is no later change
  int offset;       // seconds east of UTC
  int prev_offset;  // in effect before `begin` (== offset when there is none)
  int next_offset;  // in effect from `end` on (== offset when there is none)
};

class ZoneRules {
 public:
  // `transitions` in order of time; the first one's `at` is ignored (its offset holds since
  // always). `footer` continues after the last transition when it has DST.
  ZoneRules(std::vector<PosixTz::Transition> transitions, std::optional<PosixTz> footer);
  static ZoneRules Fixed(int offset) { return ZoneRules({{kNegInfinity, offset}}, std::nullopt); }

  // The interval containing second `t`.
  OffsetInterval Lookup(int64_t t) const;

 private:
  OffsetInterval LookupInFooter(int64_t t) const;

  std::vector<int64_t> starts_;  // starts_[0] == kNegInfinity; strictly increasing
  std::vector<int> offsets_;     // offsets_[i] holds from starts_[i]; neighbours always differ
  std::optional<PosixTz> footer_;
};

}  // namespace nightshift::schedule
