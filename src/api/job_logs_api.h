// JobLogsApi: the native log route, GET /api/v1/jobs/{id}/logs?follow=true&attempt=N.
//
// Answers with Server-Sent Events (text/event-stream, chunked), one event per log record, then
// one `end` event, then the body ends:
//   event: log   data: {"timestamp": <epoch ms>, "stream": "stdout"|"stderr"|"note", "message": "..."}
//   event: end   data: {"jobId", "attempt", "status" (the job's, then), "jobEnded", "moreAttempts"
//                       (a later attempt has run or may run: the job retried or will), "exitCode"
//                       (the attempt's; null if none), "statusReason" (the job's)}
// and ": keep-alive" comments while a followed attempt is quiet, so that a client that left is
// noticed. `attempt` (1-based) defaults to the job's latest attempt, or its first when none has
// started. Without follow=true the events end at the end of what the log holds now; with it the
// answer waits for the attempt to start and to end, checking the log file and the job on a short
// timer (kFollowInterval) on the server's loop. The log file is read with exec::ReadLogEvents, the
// reader GetLogEvents uses.
// Errors (before any event): 404 for an unknown job, 400 for an array parent (its children have
// the logs) or a bad attempt.
// Thread-safety: runs on the engine's loop thread.
#pragma once

#include <chrono>
#include <span>

#include "api/http_types.h"
#include "api/route_table.h"
#include "engine/engine.h"

namespace boost::asio {
class io_context;
}

namespace nightshift::api {

inline constexpr auto kFollowInterval = std::chrono::milliseconds(100);
inline constexpr auto kKeepAliveInterval = std::chrono::seconds(15);

class JobLogsApi {
 public:
  JobLogsApi(engine::Engine& engine, boost::asio::io_context& io) : engine_(engine), io_(io) {}

  // The route, declared once: served from here and described in the OpenAPI document.
  static std::span<const Route<JobLogsApi>> Routes();

  // True if the request is for Routes() (then `respond` is called).
  bool Handle(const HttpRequest& request, const Respond& respond);

 private:
  void StreamLogs(const RouteCall& call, const Respond& respond);
  Result<HttpResponse> Logs(const std::string& job_id, const HttpRequest& request);

  engine::Engine& engine_;
  boost::asio::io_context& io_;
};

}  // namespace nightshift::api
