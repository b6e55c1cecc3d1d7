// PodmanCommand: how a container attempt becomes a `podman run` command line, and how podman's
// exit becomes an attempt outcome. Pure: the executor supplies what it learnt from the host
// (its rlimits, the cgroup layout) and the supervisor what it saw (exit status, stderr, the
// cgroup's counters).
//
// The command: `podman [--runtime R] [--cgroup-manager cgroupfs] run --rm --pull=P --name NAME
// --label nightshift.job=ID --label nightshift.attempt=N --network=none|bridge [--cgroup-parent
// /nightshift/NAME | --memory=Mm] --cpus=V --ulimit ... [--user U] [--read-only] [--privileged]
// [-v SRC:DST[:ro]]... [-w DIR] [-e NAME=VALUE | -e NAME]... IMAGE [COMMAND...]`.
// Secrets are passed as `-e NAME` (podman reads the value from its own environment, so values
// never appear in a command line); other variables as `-e NAME=VALUE`. The default ulimits nofile
// and nproc are the supervisor's own hard limits (podman's defaults exceed what an unprivileged
// root may set on some hosts); the job's ulimits replace them.
//
// Thread-safety: pure functions over values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/job.h"
#include "exec/executor.h"

namespace nightshift::exec {

inline constexpr char kContainerLabelJob[] = "nightshift.job";
inline constexpr char kContainerLabelAttempt[] = "nightshift.attempt";
inline constexpr char kContainerLabelOwner[] = "nightshift.owner";  // the executor's root dir
inline constexpr char kOutOfMemoryReason[] = "OutOfMemoryError: Container killed due to memory usage";

enum class PullPolicy { kNever, kMissing, kAlways };

// One line of `podman ps --format` with ListContainersFormat(): a container of an owner.
struct ListedContainer {
  std::string name;
  AttemptKey key;
};
// The arguments after the prefix that list every container of `owner`, running or not.
std::vector<std::string> ListContainersArgs(const std::string& owner);
// Parses their output; lines that do not parse are skipped.
std::vector<ListedContainer> ParseListedContainers(std::string_view output);

// Parses "never", "missing", "always"; nullopt otherwise.
std::optional<PullPolicy> ParsePullPolicy(std::string_view text);

// How memory limits are enforced and observed.
enum class MemoryMode {
  // cgroups v1 with a memory hierarchy: the attempt runs under a cgroup of its own,
  // /nightshift/<container name>, created by the supervisor with the limit set on it; the
  // cgroup outlives the container, so its failcnt tells an OOM kill after the container is gone.
  kAttemptCgroup,
  // Anything else: podman's --memory; an exit 137 the executor did not cause counts as an OOM kill.
  kPodmanFlag,
};

// Server-wide settings of container attempts.
struct PodmanSettings {
  std::string podman = "podman";  // the binary (looked up in PATH)
  std::string runtime;            // --runtime; empty: podman's default
  std::string owner;              // kContainerLabelOwner's value: whose containers these are
  PullPolicy pull = PullPolicy::kMissing;
  MemoryMode memory = MemoryMode::kPodmanFlag;
  std::optional<core::Ulimit> default_nofile;  // applied unless the job sets nofile
  std::optional<core::Ulimit> default_nproc;   // applied unless the job sets nproc
};

// The container's name: "nightshift-<job id>-<attempt>", characters podman refuses in names
// replaced by '_' (array children's ':'). Unique per attempt; stable, so anyone can find it again.
std::string ContainerNameOf(const AttemptKey& key);

// The attempt's own cgroup (relative to a hierarchy's root) in MemoryMode::kAttemptCgroup.
std::string AttemptCgroupOf(std::string_view container_name);

// `podman` and its global options (kill and rm use them too).
std::vector<std::string> PodmanPrefix(const PodmanSettings& settings);

// The whole `podman run` argv. `environment` becomes -e NAME=VALUE, `secret_names` -e NAME.
// Precondition: request.container is set.
std::vector<std::string> PodmanRunArgv(const PodmanSettings& settings, const LaunchRequest& request,
                                       const std::vector<core::EnvVar>& environment,
                                       const std::vector<std::string>& secret_names);

// What the supervisor observed when `podman run` ended.
struct PodmanExit {
  int exit_code = 0;            // podman run's exit status
  std::string_view stderr_tail;  // the last bytes it wrote to stderr (its own errors come last)
  bool memory_limit_hit = false;  // the attempt's cgroup failed a charge at its limit
  bool stopped_by_us = false;    // terminate or timeout signalled the container
  bool memory_flag_mode = false;  // MemoryMode::kPodmanFlag with a memory limit set
};

// The attempt's outcome (kind, exit code, reason, message; no times) from podman's exit:
//  - 125/126/127 with a podman "Error: " line last on stderr: the container did not start;
//    kind kSpawnFailed with reason "CannotPullContainerError: <error>" for an image podman cannot
//    find or parse, "CannotStartContainerError: <error>" otherwise (unknown user, missing volume
//    source, command not found).
//  - 137 with the memory limit hit and no signal of ours: exit code 137 and AWS's
//    kOutOfMemoryReason.
//  - anything else: the container's exit code, as it is.
core::AttemptOutcome DecodePodmanExit(const PodmanExit& exit);

}  // namespace nightshift::exec
