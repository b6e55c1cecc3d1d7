// AttemptDir: the on-disk layout of one attempt run by the local executor, shared by the server
// (LocalExecutor) and nightshift-supervisor. The files outlive both, which is how jobs survive the
// server: a server started later learns from them what happened while no server was there.
//
//   <root>/<job_id>.<attempt>/       one flat directory per attempt (job ids contain no '.')
//     state  created and flock(LOCK_EX)-ed by the server before it hands the attempt to the
//            supervisor, which then holds the lock until the attempt is over: "lock held" ==
//            "a supervisor runs it". Its content is the attempt's progress as appended lines
//            (exec/attempt_state.h): the supervisor's pid, the job's pid once the job was
//            spawned, and finally the exit record closed by `end`.
//            After `end` nothing in the directory changes any more.
//     log    the job's output as timestamped records (exec/attempt_log.h); created by the
//            supervisor on the first output, so it may not exist.
//
// An attempt whose job prints nothing costs two inodes (the directory and `state`) and no rename.
//
// Thread-safety: plain values.
#pragma once

#include <string>

#include "exec/executor.h"
#include "util/status.h"

namespace nightshift::exec {

struct AttemptDir {
  std::string dir;  // no trailing slash

  std::string state_path() const { return dir + "/state"; }
  std::string log_path() const { return dir + "/log"; }
};

// "<root>/<job_id>.<attempt>": the only place that knows the layout. InvalidArgument if the job id
// could escape root or is not a single path component ("", ".", "..", contains '/' or NUL), if the
// directory name would be longer than 255 bytes, or if attempt < 1. (The name splits uniquely at
// its last '.', since an attempt number has none, so even a job id with a '.' maps to its own dir.)
[[nodiscard]] Result<AttemptDir> AttemptDirFor(const std::string& root, const AttemptKey& key);

}  // namespace nightshift::exec
