#include "exec/exit_record.h"

#include <algorithm>
#include <optional>

#include "exec/posix_util.h"
#include "util/text.h"

namespace nightshift::exec {
namespace {

using Kind = core::AttemptOutcome::Kind;

std::string_view KindName(Kind kind) {
  switch (kind) {
    case Kind::kExited:
      return "exited";
    case Kind::kSignaled:
      return "signaled";
    case Kind::kSpawnFailed:
      return "spawn_failed";
    case Kind::kLost:
      return "lost";
  }
  return "lost";
}

std::optional<Kind> ParseKind(std::string_view name) {
  for (Kind kind : {Kind::kExited, Kind::kSignaled, Kind::kSpawnFailed, Kind::kLost}) {
    if (KindName(kind) == name) return kind;
  }
  return std::nullopt;
}

void AppendLine(std::string* out, std::string_view key, std::string_view value) {
  out->append(key).append(" ").append(value).append("\n");
}

bool IsNumberKey(std::string_view key) {
  return key == "exit_code" || key == "signal" || key == "started_at" || key == "stopped_at" ||
         key == "supervisor_max_rss_kb";
}

// Bits of the required keys, to tell which ones a record lacks.
constexpr unsigned kSeenKind = 1, kSeenStarted = 2, kSeenStopped = 4, kSeenAll = 7;

void ApplyNumber(std::string_view key, int64_t n, ExitRecord* record, unsigned* seen) {
  core::AttemptOutcome& o = record->outcome;
  if (key == "exit_code") o.exit_code = static_cast<int>(n);
  if (key == "signal") o.signal = static_cast<int>(n);
  if (key == "supervisor_max_rss_kb") record->supervisor_max_rss_kb = n;
  if (key == "started_at") {
    o.started_at = n;
    *seen |= kSeenStarted;
  }
  if (key == "stopped_at") {
    o.stopped_at = n;
    *seen |= kSeenStopped;
  }
}

// Applies one "<key> <value>" line to record; unknown keys are ignored.
Status ApplyLine(std::string_view key, std::string_view value, ExitRecord* record, unsigned* seen) {
  if (key == "message") {
    record->outcome.message = std::string(value);
  } else if (key == "reason") {
    record->outcome.reason = std::string(value);
  } else if (key == "kind") {
    std::optional<Kind> kind = ParseKind(value);
    if (!kind)
      return Status::InvalidArgument("exit record: unknown kind '" + std::string(value) + "'");
    record->outcome.kind = *kind;
    *seen |= kSeenKind;
  } else if (IsNumberKey(key)) {
    std::optional<int64_t> n = ParseInt64(value);
    if (!n)
      return Status::InvalidArgument("exit record: bad number in line '" + std::string(key) + "'");
    ApplyNumber(key, *n, record, seen);
  }
  return Status::Ok();
}

}  // namespace

std::string FormatExitRecord(const ExitRecord& record) {
  const core::AttemptOutcome& o = record.outcome;
  std::string out;
  AppendLine(&out, "kind", KindName(o.kind));
  AppendLine(&out, "exit_code", std::to_string(o.exit_code));
  AppendLine(&out, "signal", std::to_string(o.signal));
  AppendLine(&out, "started_at", std::to_string(o.started_at));
  AppendLine(&out, "stopped_at", std::to_string(o.stopped_at));
  AppendLine(&out, "supervisor_max_rss_kb", std::to_string(record.supervisor_max_rss_kb));
  for (const auto& [key, text] : {std::pair{"message", &o.message}, std::pair{"reason", &o.reason}}) {
    if (text->empty()) continue;
    std::string line = *text;
    std::replace(line.begin(), line.end(), '\n', ' ');
    AppendLine(&out, key, line);
  }
  return out;
}

Result<ExitRecord> ParseExitRecord(std::string_view text) {
  ExitRecord record;
  unsigned seen = 0;
  while (!text.empty()) {
    const std::string_view line = TakeLine(text);
    if (line.empty()) continue;
    size_t space = line.find(' ');
    if (space == std::string_view::npos) {
      return Status::InvalidArgument("exit record: malformed line '" + std::string(line) + "'");
    }
    NS_RETURN_IF_ERROR(ApplyLine(line.substr(0, space), line.substr(space + 1), &record, &seen));
  }
  if (seen != kSeenAll) {
    return Status::InvalidArgument("exit record: missing kind, started_at or stopped_at");
  }
  return record;
}

}  // namespace nightshift::exec
