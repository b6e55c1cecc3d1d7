// ExitRecord: the outcome of an attempt as nightshift-supervisor writes it, once, when the attempt
// is over: into its journal (exec/journal.h, between `exit <name>` and `end`) and into its `ended`
// message (exec/supervisor_protocol.h); read by the server at once, or from the journal after a
// restart. (The previous layout's `state` file, exec/attempt_state.h, holds the same format.)
//
// Format: UTF-8 text, one "<key> <value>" per line, unknown keys ignored (so a newer supervisor can add
// keys), in this order:
//   kind spawn_failed|exited|signaled|lost
//   exit_code <int>             (kind exited)
//   signal <int>                (kind signaled)
//   started_at <epoch ms>
//   stopped_at <epoch ms>
//   supervisor_max_rss_kb <int> the supervisor's peak RSS so far, for diagnostics and tests
//   message <text to end of line>   optional; newlines are replaced by spaces
//   reason <text to end of line>    optional (AttemptOutcome::reason); newlines replaced likewise
// Example:
//   kind exited
//   exit_code 3
//   signal 0
//   started_at 1700000000000
//   stopped_at 1700000000412
//   supervisor_max_rss_kb 1800
//
// Thread-safety: pure functions over values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/job.h"
#include "util/status.h"

namespace nightshift::exec {

struct ExitRecord {
  // Kind kLost only in a record the server wrote for a supervisor that died without writing one.
  core::AttemptOutcome outcome;
  int64_t supervisor_max_rss_kb = 0;
};

std::string FormatExitRecord(const ExitRecord& record);
// The line that closes an exit record where records follow other lines (a state file, a journal):
// a record without it was torn by a crash.
inline constexpr std::string_view kExitRecordEnd = "end";

// InvalidArgument (naming the line) if a required key (kind, started_at, stopped_at) is missing,
// a number does not parse, or kind is unknown.
[[nodiscard]] Result<ExitRecord> ParseExitRecord(std::string_view text);

}  // namespace nightshift::exec
