#include "cli/server_limits.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>

#include <spdlog/spdlog.h>

namespace nightshift::cli {
namespace {

// Raises the soft fd limit toward what `connections` need (up to the hard limit); returns the
// soft limit in effect.
uint64_t RaiseFdLimitFor(size_t connections) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return RLIM_INFINITY;
  const rlim_t needed = connections + kFdsBesideConnections;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < needed) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max == RLIM_INFINITY ? needed : std::min<rlim_t>(needed, limit.rlim_max);
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur == RLIM_INFINITY ? UINT64_MAX : limit.rlim_cur;
}

}  // namespace

size_t ConnectionsWithinFdLimit(size_t wanted, uint64_t fd_limit) {
  if (fd_limit >= wanted + kFdsBesideConnections) return wanted;
  return fd_limit > kFdsBesideConnections ? static_cast<size_t>(fd_limit - kFdsBesideConnections) : 1;
}

Result<ServerLimits> LoadServerLimits(const Config& config) {
  ServerLimits limits;
  const auto wanted = static_cast<size_t>(config.Integer("max_connections"));
  const uint64_t fd_limit = RaiseFdLimitFor(wanted);
  limits.http.max_connections = ConnectionsWithinFdLimit(wanted, fd_limit);
  if (limits.http.max_connections < wanted) {
    spdlog::warn("--max-connections {} does not fit the fd limit ({}, {} kept for the server itself): capped at {}",
                 wanted, fd_limit, kFdsBesideConnections, limits.http.max_connections);
  }
  limits.http.header_timeout =
      std::chrono::milliseconds(static_cast<int64_t>(config.Number("header_timeout") * 1000));
  Result<api::RateLimit> rate = api::ParseRateLimit(config.String("rate_limit"), config.Number("rate_burst"));
  if (!rate.ok()) return Status::InvalidArgument(config.Get("rate_limit").origin + ": " + rate.status().message());
  limits.rate = *rate;
  return limits;
}

}  // namespace nightshift::cli
