// Spawn: one posix_spawn with the options exec/ needs, so that nothing allocates between fork and
// exec and the child starts clean: default signal dispositions (see signals_to_default), an empty
// signal mask, only the fds listed in `fds` (plus any the caller forgot to mark O_CLOEXEC; exec/
// marks all of its own).
// A caller without signal handlers (no_signal_handlers) gets the same from a lighter start of our
// own: clone with CLONE_VM | CLONE_VFORK, as posix_spawn does, but resetting only the signals it
// names, where posix_spawn resets all 64 (about 140 system calls a start). Not under
// ThreadSanitizer, which cannot follow such a child.
// posix_spawn cannot change the child's user: with `run_as` set, the same is done by fork and
// execve, with setgroups, setgid and setuid in the child (everything it needs is prepared before
// the fork, so nothing allocates after it), and the working directory entered as that user.
//
// Thread-safety: thread-safe without run_as (each thread starts its children on a stack of its
// own); with run_as, only in a single-threaded process (fork), as nightshift-supervisor is.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "exec/credentials.h"
#include "util/status.h"

namespace nightshift::exec {

// Child fd `child_fd` becomes a dup of parent fd `parent_fd`, or /dev/null when parent_fd < 0
// (opened read-only for fd 0, write-only otherwise). Applied in order.
struct ChildFd {
  int child_fd = 0;
  int parent_fd = -1;
};

struct SpawnOptions {
  bool new_session = false;        // POSIX_SPAWN_SETSID: no controlling terminal, own session
  bool new_process_group = false;  // POSIX_SPAWN_SETPGROUP 0: the child leads its own group
  // argv[0] without a '/' is looked up in this PATH value (the job's, not the caller's), as
  // execvp does; unset: argv[0] is used as it is.
  std::optional<std::string> search_path;
  std::string working_dir;  // the child's working directory; empty: the caller's
  std::vector<ChildFd> fds;
  // Signals reset to SIG_DFL in the child; empty: all of them (the safe default when the caller's
  // dispositions are unknown). Handled signals are reset anyway; this matters for ignored ones.
  std::vector<int> signals_to_default;
  // The caller has no signal handlers: each disposition is SIG_DFL, or SIG_IGN for a signal in
  // signals_to_default (nightshift-supervisor reads its signals from a signalfd). Spawn then starts
  // the child without posix_spawn (see above). A handler would run in the child, in the caller's
  // memory, if its signal came between the child's unblocking and its exec.
  bool no_signal_handlers = false;
  // Set: the child runs with these credentials (the caller must be root, or they are its own).
  std::optional<Credentials> run_as;
};

// Starts argv[0] with envp (NULL-terminated "NAME=value" strings). Returns the child's pid.
// A failure to start (including exec failing: glibc reports it) is returned as
// ErrnoStatus("exec <argv[0]>"), ("chdir <working_dir>"), ("run as uid <uid>") or
// ("spawn <argv[0]>") for other causes; nothing is left running.
// Precondition: argv is not empty.
[[nodiscard]] Result<pid_t> Spawn(const std::vector<std::string>& argv, char* const* envp,
                                  const SpawnOptions& options);

}  // namespace nightshift::exec
