// LocalLayout: the on-disk layout of the local executor under its root (<data>/jobs), shared by
// the server (LocalExecutor) and nightshift-supervisor. The files outlive both, which is how jobs
// survive the server: a server started later learns from them what happened while no server was
// there.
//
//   <root>/journal/<supervisor>.<n>.journal
//            the journal of one nightshift-supervisor (exec/journal.h), in segments n = 1, 2, ...;
//            <supervisor> is "<pid>-<start epoch ms>". The supervisor creates each segment (under
//            a temporary name, renamed once it holds the segment's flock) and keeps every segment
//            it has not deleted open and flock(LOCK_EX)-ed while it lives: "lock held" == "that
//            supervisor still runs its attempts". It deletes a segment once the server has
//            committed every outcome recorded in it; a server deletes the journal of a dead
//            supervisor once it has concluded and committed the attempts it needed from it.
//   <root>/<name>.log
//            the job's output as timestamped records (exec/attempt_log.h), <name> being
//            "<job_id>.<attempt>"; created by the supervisor on the first output, so it may not
//            exist. Owned by the server's user, also for jobs that run as another user.
//   <root>/work/
//            the shared working directory of jobs that have none of their own, made by the
//            supervisor.
//   <root>/<name>/work/
//            only for a job that runs as another user and has no working directory of its own: its
//            working directory, owned by that user, inside a directory closed to others (0700).
//
// An attempt whose job prints nothing creates no inode: its records go to the journal.
//
// Earlier versions kept a directory per attempt, <root>/<name>/ with `state` (exec/attempt_state.h)
// and `log`; they are read (never written) by LegacyStatePath and LegacyLogPath.
//
// Thread-safety: pure functions over values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "exec/executor.h"
#include "util/status.h"

namespace nightshift::exec {

// "<job_id>.<attempt>": the only place that names an attempt on disk. InvalidArgument if the job id
// could escape root or is not a single path component ("", ".", "..", contains '/' or NUL), holds
// whitespace, if `<name>.log` would be longer than 255 bytes, or if attempt < 1. (The name splits
// uniquely at its last '.', since an attempt number has none.)
[[nodiscard]] Result<std::string> AttemptName(const AttemptKey& key);

// The inverse of AttemptName; nullopt for a name it cannot have made.
std::optional<AttemptKey> ParseAttemptName(std::string_view name);

std::string LogPathOf(const std::string& root, std::string_view name);
std::string SharedWorkDirOf(const std::string& root);
// The 0700 directory holding a run-as job's `work`.
std::string RunAsDirOf(const std::string& root, std::string_view name);
std::string RunAsWorkDirOf(const std::string& root, std::string_view name);

std::string JournalDirOf(const std::string& root);
std::string JournalSegmentPath(const std::string& root, std::string_view supervisor, uint64_t n);

struct JournalSegmentName {
  std::string supervisor;
  uint64_t n = 0;
  bool operator==(const JournalSegmentName&) const = default;
};
// Parses "<supervisor>.<n>.journal" (a file name, no directory); nullopt for anything else.
std::optional<JournalSegmentName> ParseJournalSegmentName(std::string_view file_name);

// The previous layout, read only.
std::string LegacyStatePath(const std::string& root, std::string_view name);
std::string LegacyLogPath(const std::string& root, std::string_view name);

}  // namespace nightshift::exec
