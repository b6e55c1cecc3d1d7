// Reading a job's secrets when its attempt starts: each SecretRef's file (core/job_identity.h for
// the forms of valueFrom), resolved (symlinks included) and checked to lie inside the secrets
// directory, read whole (at most kMaxSecretBytes; one trailing newline dropped, as `echo` adds
// it). The values go only into the attempt's environment; no error message ever quotes one.
// Thread-safety: thread-safe (reads files, no shared state).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/job.h"
#include "util/status.h"

namespace nightshift::exec {

inline constexpr size_t kMaxSecretBytes = 64 * 1024;

// The secrets as environment variables, in order. Errors: kInvalidArgument "secret NAME: ..."
// naming the reference and why it cannot be read (missing, unreadable, outside the directory,
// too large, holding a NUL byte).
[[nodiscard]] Result<std::vector<core::EnvVar>> ReadSecrets(const std::vector<core::SecretRef>& secrets,
                                                            const std::string& secrets_dir);

}  // namespace nightshift::exec
