// Shim: the per-attempt supervisor run as `nightshift-shim` (argv protocol: exec/shim_args.h).
// It outlives the server, so a restart or kill -9 of the server neither kills the job nor loses
// its output or exit status. For its whole life it holds the attempt's `state` file (fd 3,
// inherited already flock-ed), which is how a later server tells "shim alive" (lock held) from
// "shim gone", and it records the attempt's progress by appending to that file
// (exec/attempt_state.h), each time with a single write(2).
//
// What RunShim does, in order:
//   1. closes every inherited fd above 3, marks fd 3 close-on-exec, appends `shim <pid>`; ignores
//      SIGHUP and SIGPIPE; takes SIGTERM, SIGINT and SIGCHLD through a signalfd;
//   2. starts the job with posix_spawn in its own process group, in working_dir, stdin from
//      /dev/null, stdout and stderr to two pipes, default signal dispositions and mask, the shim's
//      own environment; then appends `job <pid>`;
//   3. copies both pipes into `log` as records (exec/log_writer.h) until the job has exited and
//      the pipes are closed;
//   4. on SIGTERM/SIGINT: SIGTERM to the job's process group, SIGKILL to it when the grace period
//      ends (from sival_int of a queued signal, else grace_ms from argv);
//   5. when the job's main process exits: SIGKILLs what is left of its process group (batch
//      semantics: the job is over when its main process is), drains the pipes (at most
//      kDrainAfterExitMs more if processes that left the group still hold them), flushes the log,
//      then appends the exit record and `end` (exec/exit_record.h) and exits, which releases the
//      lock.
// A command that cannot be started (chdir or exec fails) gives a kNote log record and an exit
// record of kind spawn_failed with the errno text, and no `job` line.
// Nothing is fsync-ed: the attempt files must survive a server crash, not a machine crash.
//
// Thread-safety: single-threaded; meant to be the whole of one process.
#pragma once

#include <cstdint>

#include "exec/shim_args.h"

namespace nightshift::exec {

inline constexpr int64_t kDrainAfterExitMs = 1000;

// Runs the attempt described by args to its end. Returns the process exit status: 0 when the exit
// record was written, 2 when the shim could not even start (fd 3 missing, no signalfd), 3 when the
// exit record could not be written. The job's own outcome is in the exit record, never in this
// value.
int RunShim(const ShimArgs& args);

}  // namespace nightshift::exec
