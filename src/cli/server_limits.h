// The server's limits from its configuration: the cap on open connections (checked against the
// process's fd limit, which is raised to fit when the hard limit allows), the slow-header
// deadline, and the per-client request rate.
// Thread-safety: ConnectionsWithinFdLimit is pure; LoadServerLimits changes RLIMIT_NOFILE.
#pragma once

#include <cstddef>
#include <cstdint>

#include "api/http_server.h"
#include "api/rate_limiter.h"
#include "cli/config.h"
#include "util/status.h"

namespace nightshift::cli {

// Fds the server needs besides its connections: the store, the supervisor's socket, followed
// logs, connections being refused, and some slack.
inline constexpr uint64_t kFdsBesideConnections = 256;

struct ServerLimits {
  api::HttpServerLimits http;
  api::RateLimit rate;
};

// The connection cap that fits an fd limit of `fd_limit`: `wanted`, or less (at least 1).
size_t ConnectionsWithinFdLimit(size_t wanted, uint64_t fd_limit);

// Errors: kInvalidArgument for a bad --rate-limit (naming where it was set).
Result<ServerLimits> LoadServerLimits(const Config& config);

}  // namespace nightshift::cli
