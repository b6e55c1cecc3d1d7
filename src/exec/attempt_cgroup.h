// AttemptCgroup: the cgroup of one container attempt under cgroups v1 (exec/podman_command.h,
// MemoryMode::kAttemptCgroup). The supervisor creates it in the memory hierarchy with the job's
// limit before podman starts, and podman puts the container (and its conmon) below it. Unlike
// the container's own cgroup, which podman removes with the container, it is still there when
// `podman run --rm` has returned: its memory.failcnt then tells whether the job reached its limit.
//
// Thread-safety: functions over the file system; no state of their own.
#pragma once

#include <cstdint>
#include <string>

#include "util/status.h"

namespace nightshift::exec {

// Creates <root>/memory<parent> (and its parent dirs) and sets its memory limit, and the
// memory+swap limit where the kernel accounts swap (no swap, as on AWS). An existing cgroup is
// reused. Errors: the failing path, with errno's text.
[[nodiscard]] Status CreateAttemptCgroup(const std::string& root, const std::string& parent, int64_t limit_bytes);

// Whether the cgroup reached its limit: a charge failed (memory.failcnt or memory.memsw.failcnt
// > 0), or its peak usage (memory.max_usage_in_bytes) came within 256 KiB of limit_bytes (some
// kernels count no failure when the OOM killer ends the charging task). False if unreadable.
bool AttemptCgroupHitLimit(const std::string& root, const std::string& parent, int64_t limit_bytes);

// Removes <hierarchy><parent> and its empty children in every hierarchy under root (podman made
// some in each). Busy or missing directories are left alone.
void RemoveAttemptCgroup(const std::string& root, const std::string& parent);

}  // namespace nightshift::exec
