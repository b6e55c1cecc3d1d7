// Parsers for the fields of Unix (Vixie) cron expressions and AWS cron(...) bodies. Pure
// functions over the original text: errors name the field and the 1-based column of the
// offending text in it.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "schedule/cron_spec.h"
#include "util/status.h"

namespace nightshift::schedule {

// One whitespace-separated field and where it starts in the expression (0-based).
struct FieldToken {
  std::string_view text;
  size_t offset = 0;
};

// "<what> '<text>' at column <offset + 1>: <reason>" as kInvalidArgument.
Status SyntaxError(std::string_view what, std::string_view text, size_t offset,
                   std::string_view reason);

// minute hour day-of-month month day-of-week. Names JAN-DEC and SUN-SAT (any case), 0 and 7 =
// Sunday, lists, ranges (not reversed), steps "*/n", "a-b/n", "a/n" (= a-max/n). Day-of-month
// and day-of-week combine with OR when both are restricted, else with AND. "Restricted" follows
// croniter 1.3.5 rather than Vixie's text test: a field is unrestricted when it names every
// value ("*", "1-31", "*/1", "0-7"), so "*/2" is restricted (Vixie would call it "*").
Result<CronSpec> ParseUnixCron(const std::array<FieldToken, 5>& fields);

// minutes hours day-of-month month day-of-week year. Exactly one of the day fields is '?'.
// Day-of-month adds L, LW and nW; day-of-week is 1-7 (1 = Sunday) or SUN-SAT and adds L
// (= 7, Saturday), nL (the last n-weekday of the month) and n#k (the k-th, k 1-5); years
// 1970-2199.
Result<CronSpec> ParseAwsCron(const std::array<FieldToken, 6>& fields);

}  // namespace nightshift::schedule
