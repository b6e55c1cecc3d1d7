// SupervisorProtocol: the messages between the server (LocalExecutor) and nightshift-supervisor,
// the one resident process that starts and watches every attempt the server launches
// (exec/supervisor.h). Both sides encode and decode here, so the protocol is written down once.
//
// Transport: a Unix SOCK_SEQPACKET socket pair made by the server; the supervisor's end is its fd 3
// (kSupervisorControlFd). One packet is one message, at most kMaxMessageBytes. No fds travel.
//
//   supervisor -> server
//     hello      supervisor: the name of its journal (exec/local_layout.h), sent once it has
//                created and locked the journal's first segment and before it reads any message.
//     ended      attempt, seq, and the exit record exactly as appended to the journal
//                (FormatExitRecord); seq numbers the ended messages 1, 2, ... in sending order.
//   server -> supervisor
//     launch     attempt (exec/local_layout.h's name), grace_ms, working_dir, run_as,
//                make_run_as_dir, committed_seq, container, argv, environment. The supervisor records the
//                launch in its journal before it starts the job. committed_seq: the server has
//                committed the outcomes of every ended message up to this seq, so the journal's
//                records of them may be deleted.
//     terminate  attempt, grace_ms: SIGTERM to the job's process group, SIGKILL after grace.
//
// Encoding: one kind byte ('H', 'E', 'L', 'T'), then fields, each a 4-byte little-endian length and
// that many bytes. A launch is attempt, grace, working_dir, run_as ("" for the supervisor's own
// user, else "UID GID GROUP..." in decimal), make_run_as_dir ("0"/"1"), committed_seq, container
// ("" for a host process, else fields of their own: name, cgroup_root, cgroup_parent,
// memory_limit_bytes, then the podman prefix to the end), argc, argv[0..argc), then the
// environment ("NAME=value") to the end.
//
// Thread-safety: pure functions over values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "exec/credentials.h"
#include "util/status.h"

namespace nightshift::exec {

inline constexpr int kSupervisorControlFd = 3;
inline constexpr size_t kMaxMessageBytes = 128 * 1024;

// A container attempt (exec/podman_command.h): argv is `podman run ...`, whose process the
// supervisor watches as it watches a job; these say how to stop the container and read its end.
struct ContainerControl {
  std::string name;                 // the container's name
  std::vector<std::string> podman;  // podman and its global options, for `kill` and `rm`
  // Set: the supervisor creates <cgroup_root>/memory<cgroup_parent> with memory_limit_bytes before
  // it starts podman, reads its failcnt once podman is done, and removes the attempt's cgroups.
  std::string cgroup_root;
  std::string cgroup_parent;
  int64_t memory_limit_bytes = 0;
  bool operator==(const ContainerControl&) const = default;
};

struct LaunchMessage {
  std::string attempt;   // "<job_id>.<attempt>"
  int64_t grace_ms = 0;  // for a terminate of the whole supervisor (its own SIGTERM)
  std::string working_dir;
  std::optional<Credentials> run_as;  // unset: the supervisor's own user
  // Create RunAsWorkDirOf(attempt) owned by run_as (its parent 0700) before starting the job.
  bool make_run_as_dir = false;
  uint64_t committed_seq = 0;
  std::optional<ContainerControl> container;
  std::vector<std::string> argv;  // not empty; argv[0] is looked up in the job's PATH
  std::vector<std::string> environment;
  bool operator==(const LaunchMessage&) const = default;
};

struct TerminateMessage {
  std::string attempt;
  int64_t grace_ms = 0;
  bool operator==(const TerminateMessage&) const = default;
};

struct HelloMessage {
  std::string supervisor;  // the journal's <supervisor> name
  bool operator==(const HelloMessage&) const = default;
};

struct EndedMessage {
  std::string attempt;
  uint64_t seq = 0;
  std::string exit_record;  // FormatExitRecord's text
  bool operator==(const EndedMessage&) const = default;
};

using ToSupervisor = std::variant<LaunchMessage, TerminateMessage>;
using FromSupervisor = std::variant<HelloMessage, EndedMessage>;

std::string EncodeMessage(const LaunchMessage& message);
std::string EncodeMessage(const TerminateMessage& message);
std::string EncodeMessage(const HelloMessage& message);
std::string EncodeMessage(const EndedMessage& message);

// InvalidArgument for a truncated or malformed packet, or an unknown kind.
[[nodiscard]] Result<ToSupervisor> DecodeToSupervisor(std::string_view packet);
[[nodiscard]] Result<FromSupervisor> DecodeFromSupervisor(std::string_view packet);

}  // namespace nightshift::exec
