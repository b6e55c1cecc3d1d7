// PacketSocket helpers: one message per call over a Unix SOCK_SEQPACKET socket, optionally with
// one file descriptor attached (SCM_RIGHTS). Used by both ends of the supervisor protocol
// (exec/supervisor_protocol.h). Both calls are non-blocking and never raise SIGPIPE.
//
// Thread-safety: free functions; thread-safe as the underlying system calls are.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "exec/posix_util.h"

namespace nightshift::exec {

// socketpair(AF_UNIX, SOCK_SEQPACKET), both ends O_CLOEXEC.
[[nodiscard]] Result<std::pair<UniqueFd, UniqueFd>> MakePacketSocketPair();

// Sends data as one packet, with fd_to_pass attached when it is >= 0. Returns 0, or the errno
// (EAGAIN: the peer's queue is full, try again when writable; EPIPE: the peer is gone).
int SendPacket(int socket, std::string_view data, int fd_to_pass = -1);

enum class Received { kPacket, kWouldBlock, kClosed };

// Receives one packet into *data and an attached fd, if any, into *passed (O_CLOEXEC). The packet
// is read into `buffer`, whose size is the largest packet accepted (a longer one is truncated);
// keep it across calls. kClosed: the peer closed its end, or the socket failed.
Received ReceivePacket(int socket, std::vector<char>& buffer, std::string* data, UniqueFd* passed);

}  // namespace nightshift::exec
