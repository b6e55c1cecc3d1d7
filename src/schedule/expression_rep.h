// Expression's parsed representation (private to src/schedule).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "schedule/cron_spec.h"
#include "schedule/timetable.h"

namespace nightshift::schedule {

// rate(N unit): fires every `seconds` of elapsed time from the timetable's start.
struct RateSpec {
  int64_t seconds;
};

// at(...): one local wall time, as local seconds since the epoch.
struct AtSpec {
  int64_t local;

  // The same contract as CronSpec's.
  std::optional<int64_t> Next(int64_t after, int64_t limit = INT64_MAX) const {
    return local > after && local <= limit ? std::optional(local) : std::nullopt;
  }
  std::optional<int64_t> Previous(int64_t before, int64_t limit = INT64_MIN) const {
    return local < before && local >= limit ? std::optional(local) : std::nullopt;
  }
};

struct ParsedExpression {
  ExpressionKind kind;
  std::string text;
  bool follows_elapsed_time;
  std::variant<CronSpec, RateSpec, AtSpec> spec;
};

struct Expression::Rep : ParsedExpression {};

}  // namespace nightshift::schedule
