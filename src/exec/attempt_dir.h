// AttemptDir: the on-disk layout of one attempt run by the local executor, shared by the server
// (LocalExecutor) and the per-attempt supervisor (nightshift-shim). The files are the only channel
// between a shim and whichever server process is alive, which is how jobs survive the server.
//
//   <root>/<job_id>/<attempt>/
//     lock   flock(LOCK_EX)-ed by the shim for its whole life: "lock held" == "shim alive".
//            Content: the shim's pid in decimal (written by the server after spawning the shim and
//            again by the shim when it starts; same bytes).
//     pid    the job's pid, which is also its process group id. Written (tmp + rename) by the shim
//            right after the job was spawned. Absent: the job was never started.
//     log    the job's output as timestamped records (exec/attempt_log.h); created by the shim
//            on the first output, so it may not exist.
//     exit   the outcome (exec/exit_record.h), written (tmp + rename) after the log is complete.
//            Present: the attempt is over and nothing in the directory changes any more.
//
// Thread-safety: plain values.
#pragma once

#include <string>

#include "exec/executor.h"
#include "util/status.h"

namespace nightshift::exec {

struct AttemptDir {
  std::string dir;  // no trailing slash

  std::string lock_path() const { return dir + "/lock"; }
  std::string pid_path() const { return dir + "/pid"; }
  std::string log_path() const { return dir + "/log"; }
  std::string exit_path() const { return dir + "/exit"; }
};

// "<root>/<job_id>/<attempt>". InvalidArgument if the job id could escape root or is not a single
// path component ("", ".", "..", contains '/' or NUL, longer than 255 bytes) or attempt < 1.
[[nodiscard]] Result<AttemptDir> AttemptDirFor(const std::string& root, const AttemptKey& key);

}  // namespace nightshift::exec
