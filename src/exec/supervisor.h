// Supervisor: nightshift-supervisor, the one resident process that starts and watches every
// attempt a server process launches on this host. It runs in its own session and outlives the
// server: a restart or kill -9 of the server neither kills a job nor loses its output or exit
// status. The server talks to it over the socket at kSupervisorControlFd
// (exec/supervisor_protocol.h); a server started later finds the outcome in the attempt's files.
//
// For each `launch` it:
//   1. keeps the attempt's `state` file (exec/attempt_state.h), and so its flock, until the
//      attempt is over;
//   2. starts the job with posix_spawn (fork and execve when it runs as another user: setgroups,
//      setgid, setuid) in its own process group, in working_dir, stdin from /dev/null, stdout and
//      stderr to two pipes, default signal dispositions and mask, exactly the environment of the
//      message; then appends `supervisor <pid>` and `job <pid>` in one write;
//   3. copies both pipes into the attempt's `log` as records (exec/log_writer.h);
//   4. on `terminate` (or a SIGTERM/SIGINT to the supervisor itself, which terminates every
//      attempt with its launch's grace_ms): SIGTERM to the job's process group, SIGKILL to it when
//      the grace period ends;
//   5. when the job's main process exits: SIGKILLs what is left of its process group (batch
//      semantics: the job is over when its main process is), drains the pipes (at most
//      kDrainAfterExitMs more if processes that left the group still hold them), flushes the log,
//      appends the exit record and `end` in one write, unlocks and closes `state`, and sends
//      `ended` to the server.
// A command that cannot be started (chdir or exec fails) gives a kNote log record and an exit
// record of kind spawn_failed with the errno text, and no `job` line.
//
// It exits once the server has closed its end of the socket (or died) and no attempt is left.
// Nothing is fsync-ed: the attempt files must survive a server crash, not a machine crash.
//
// Thread-safety: single-threaded; meant to be the whole of one process.
#pragma once

#include <cstdint>

namespace nightshift::exec {

inline constexpr int64_t kDrainAfterExitMs = 1000;

// Runs until the control socket is closed and every attempt is over. Returns the process exit
// status: 0, or 2 when it could not even start (no control socket, no epoll or signalfd).
int RunSupervisor();

}  // namespace nightshift::exec
