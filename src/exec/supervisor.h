// Supervisor: nightshift-supervisor, the one resident process that starts and watches every
// attempt a server process launches on this host. It runs in its own session and outlives the
// server: a restart or kill -9 of the server neither kills a job nor loses its output or exit
// status. The server talks to it over the socket at kSupervisorControlFd
// (exec/supervisor_protocol.h); a server started later finds the outcomes in its journal.
//
// At start it creates its journal (exec/journal_writer.h) and the shared working dir
// (exec/local_layout.h), then says `hello`. For each `launch` it:
//   1. appends `launch <name>` to its journal;
//   2. for a run-as launch with make_run_as_dir, creates the job's working dir owned by the user;
//   3. starts the job with posix_spawn (fork and execve when it runs as another user: setgroups,
//      setgid, setuid) in its own process group, in working_dir, stdin from /dev/null, stdout and
//      stderr to two pipes, default signal dispositions and mask, exactly the environment of the
//      message; then appends `job <name> <pid>`;
//   4. copies both pipes into the attempt's log as records (exec/log_writer.h);
//   5. on `terminate` (or a SIGTERM/SIGINT to the supervisor itself, which terminates every
//      attempt with its launch's grace_ms): SIGTERM to the job's process group, SIGKILL to it when
//      the grace period ends;
//   6. when the job's main process exits: SIGKILLs what is left of its process group (batch
//      semantics: the job is over when its main process is), drains the pipes (at most
//      kDrainAfterExitMs more if processes that left the group still hold them), flushes the log,
//      appends the exit record in one write, and sends `ended` to the server.
// A command that cannot be started (chdir or exec fails) gives a kNote log record and an exit
// record of kind spawn_failed with the errno text, and no `job` record.
// After each loop turn it rotates its journal and deletes the segments the server has committed.
//
// When the server closes its end of the socket (or dies) it appends `detached`; it exits once no
// attempt is left. Nothing is fsync-ed: the journal must survive a server crash, not a machine
// crash.
//
// Thread-safety: single-threaded; meant to be the whole of one process.
#pragma once

#include <cstdint>
#include <string>

#include "exec/journal_writer.h"

namespace nightshift::exec {

inline constexpr int64_t kDrainAfterExitMs = 1000;

struct SupervisorOptions {
  std::string root;  // the local executor's root (exec/local_layout.h), absolute
  uint64_t rotate_records = JournalWriter::kDefaultRotateRecords;
};

// Runs until the control socket is closed and every attempt is over. Returns the process exit
// status: 0, or 2 when it could not even start (no control socket, no epoll or signalfd, no
// journal).
int RunSupervisor(const SupervisorOptions& options);

}  // namespace nightshift::exec
