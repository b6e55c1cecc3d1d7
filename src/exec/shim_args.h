// ShimArgs: the command line of nightshift-shim, the per-attempt supervisor (exec/shim.h).
// The server builds it (FormatShimArgv) and the shim parses it (ParseShimArgs); both live here so
// the protocol is written down once:
//
//   nightshift-shim <attempt_dir> <grace_ms> <working_dir> -- <program> [<arg>...]
//
//   attempt_dir  absolute path of the attempt's directory (exec/attempt_dir.h)
//   grace_ms     default SIGTERM -> SIGKILL grace for a plain SIGTERM; a SIGTERM sent with
//                sigqueue / pidfd_send_signal (SI_QUEUE) carries its own grace in sival_int
//   working_dir  the job's working directory
//   program ...  the job's argv; program is looked up in the job's PATH if it has no '/'
//
// Also part of the protocol: fd 3 (kShimStateFd) is the attempt's state file
// (exec/attempt_state.h), opened O_RDWR | O_APPEND and already flock-ed LOCK_EX by the server;
// the shim appends to it through this fd and keeps it (and so the lock) until it exits. The shim's
// environment is exactly the job's environment; fds 0-2 are /dev/null.
//
// Thread-safety: pure functions over values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/status.h"

namespace nightshift::exec {

inline constexpr int kShimStateFd = 3;

struct ShimArgs {
  std::string attempt_dir;
  int64_t grace_ms = 0;
  std::string working_dir;
  std::vector<std::string> job_argv;  // not empty
};

// The full argv to start the shim at shim_path with.
std::vector<std::string> FormatShimArgv(const std::string& shim_path, const ShimArgs& args);

// Parses argv (argv[0] is the shim itself). InvalidArgument with a usage message if malformed.
[[nodiscard]] Result<ShimArgs> ParseShimArgs(int argc, const char* const* argv);

}  // namespace nightshift::exec
