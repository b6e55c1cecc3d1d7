// SupervisorProtocol: the messages between the server (LocalExecutor) and nightshift-supervisor,
// the one resident process that starts and watches every attempt the server launches
// (exec/supervisor.h). Both sides encode and decode here, so the protocol is written down once.
//
// Transport: a Unix SOCK_SEQPACKET socket pair made by the server; the supervisor's end is its fd 3
// (kSupervisorControlFd). One packet is one message, at most kMaxMessageBytes.
//
//   server -> supervisor
//     launch     attempt_dir, grace_ms, working_dir, run_as, argv, environment; carries the attempt's
//                `state` file (exec/attempt_state.h) as SCM_RIGHTS, opened O_RDWR | O_APPEND and
//                already flock-ed by the server. The lock travels with the open file: from the
//                moment the packet is sent until the supervisor closes the file after writing the
//                exit record, "lock held" means "the attempt is in a supervisor's hands", even
//                while the packet is still queued in the socket.
//     terminate  attempt_dir, grace_ms: SIGTERM to the job's process group, SIGKILL after grace.
//   supervisor -> server
//     ended      attempt_dir and the final record exactly as appended to `state`
//                (FormatFinalRecord), sent after the file was unlocked and closed.
//
// Encoding: one kind byte ('L', 'T', 'E'), then fields, each a 4-byte little-endian length and
// that many bytes. A launch is dir, grace, working_dir, run_as ("" for the supervisor's own user,
// else "UID GID GROUP..." in decimal), argc, argv[0..argc), then the environment ("NAME=value")
// to the end.
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

struct LaunchMessage {
  std::string attempt_dir;
  int64_t grace_ms = 0;  // for a terminate of the whole supervisor (its own SIGTERM)
  std::string working_dir;
  std::optional<Credentials> run_as;  // unset: the supervisor's own user
  std::vector<std::string> argv;  // not empty; argv[0] is looked up in the job's PATH
  std::vector<std::string> environment;
  bool operator==(const LaunchMessage&) const = default;
};

struct TerminateMessage {
  std::string attempt_dir;
  int64_t grace_ms = 0;
  bool operator==(const TerminateMessage&) const = default;
};

struct EndedMessage {
  std::string attempt_dir;
  std::string final_record;  // FormatFinalRecord's text
  bool operator==(const EndedMessage&) const = default;
};

using ToSupervisor = std::variant<LaunchMessage, TerminateMessage>;

std::string EncodeMessage(const LaunchMessage& message);
std::string EncodeMessage(const TerminateMessage& message);
std::string EncodeMessage(const EndedMessage& message);

// InvalidArgument for a truncated or malformed packet, or an unknown kind.
[[nodiscard]] Result<ToSupervisor> DecodeToSupervisor(std::string_view packet);
[[nodiscard]] Result<EndedMessage> DecodeEnded(std::string_view packet);

}  // namespace nightshift::exec
