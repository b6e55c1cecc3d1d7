#include <utility>  // Boost 1.74's asio needs std::exchange declared first under GCC 12.

#include "api/job_logs_api.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <limits>

#include "api/aws_error.h"
#include "api/json_text.h"
#include "core/job_state.h"
#include "exec/attempt_log.h"

namespace nightshift::api {
namespace {

using Json = nlohmann::json;

constexpr int kEventsPerPiece = 1000;

std::string SseEvent(const char* event, const Json& data) {
  // Job output need not be UTF-8: invalid bytes become U+FFFD rather than failing.
  return std::string("event: ") + event + "\ndata: " + JsonText(data) +
         "\n\n";
}

const char* StreamName(exec::LogStream stream) {
  switch (stream) {
    case exec::LogStream::kStdout: return "stdout";
    case exec::LogStream::kStderr: return "stderr";
    case exec::LogStream::kNote: return "note";
  }
  return "note";
}

// Streams one attempt's log as SSE: what is there, then (following) what is appended, until the
// attempt ends. The log file is the buffer: a piece is read only once the client has taken the
// previous one, so a slow client costs no memory.
class LogFollower : public std::enable_shared_from_this<LogFollower> {
 public:
  LogFollower(engine::Engine& engine, boost::asio::io_context& io, std::string job_id, int attempt, bool follow)
      : engine_(engine), timer_(io), job_id_(std::move(job_id)), attempt_(attempt), follow_(follow) {}

  // The stream keeps the follower alive through its callbacks until it closes.
  void Start(std::shared_ptr<ResponseStream> stream) {
    stream_ = std::move(stream);
    stream_->OnDrained([self = shared_from_this()] {
      if (std::exchange(self->waiting_for_drain_, false)) self->Pump();
    });
    stream_->OnClosed([self = shared_from_this()] {
      self->timer_.cancel();
      self->stream_.reset();
    });
    Pump();
  }

 private:
  void Pump() {
    if (!stream_ || !stream_->open()) return;
    std::string piece = Poll();
    if (ended_) return stream_->Finish(std::move(piece));
    if (!piece.empty()) {
      waiting_for_drain_ = true;
      stream_->Send(std::move(piece), std::numeric_limits<size_t>::max());
      return;
    }
    if (std::chrono::steady_clock::now() - last_write_ >= kKeepAliveInterval) {
      last_write_ = std::chrono::steady_clock::now();
      stream_->Send(": keep-alive\n\n", std::numeric_limits<size_t>::max());
    }
    timer_.expires_after(kFollowInterval);
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec) self->Pump();
    });
  }

 private:
  // The next events of the log, or the end event when the attempt (or the wait for it) is over;
  // "" when there is nothing new yet.
  std::string Poll() {
    Result<std::optional<core::Job>> job = engine_.GetJob(job_id_);
    if (!job.ok() || !*job) return End(nullptr, job.ok() ? "the job is gone" : job.status().message());
    const core::Job& j = **job;
    const bool exists = static_cast<int>(j.attempts.size()) >= attempt_;
    if (!exists) {
      // Not started yet: it may still start, unless the job has ended.
      return core::IsTerminal(j.state) || !follow_ ? End(&j, "") : "";
    }
    const core::Attempt& a = j.attempts[attempt_ - 1];
    const bool attempt_over = a.stopped_at > 0;  // read after this check, so nothing written before it is missed
    std::string events = ReadEvents(a);
    if (!events.empty()) return events;
    return attempt_over || !follow_ ? End(&j, "") : "";
  }

  std::string ReadEvents(const core::Attempt& attempt) {
    Result<std::string> path = engine_.LogPathForStream(attempt.log_stream_name);
    if (!path.ok()) return "";
    exec::LogReadOptions options;
    options.start_from_head = true;
    options.limit = kEventsPerPiece;
    options.next_token = token_;
    Result<exec::LogPage> page = exec::ReadLogEvents(*path, options);
    if (!page.ok()) return "";
    token_ = page->next_forward_token;
    std::string out;
    for (const exec::LogEvent& e : page->events) {
      out += SseEvent("log", {{"timestamp", e.timestamp_ms}, {"stream", StreamName(e.stream)}, {"message", e.message}});
    }
    if (!out.empty()) last_write_ = std::chrono::steady_clock::now();
    return out;
  }

  std::string End(const core::Job* job, const std::string& error) {
    ended_ = true;
    Json end{{"jobId", job_id_}, {"attempt", attempt_}};
    if (job) {
      const bool has_attempt = static_cast<int>(job->attempts.size()) >= attempt_;
      end["status"] = std::string(core::JobStateName(job->state));
      end["jobEnded"] = core::IsTerminal(job->state);
      // Whether a later attempt has run or may still run (the job retries).
      end["moreAttempts"] = static_cast<int>(job->attempts.size()) > attempt_ || !core::IsTerminal(job->state);
      end["exitCode"] = has_attempt && job->attempts[attempt_ - 1].exit_code
                            ? Json(*job->attempts[attempt_ - 1].exit_code)
                            : Json(nullptr);
      end["statusReason"] = engine_.Explain(*job);
    } else {
      end["error"] = error;
    }
    return SseEvent("end", end);
  }

  engine::Engine& engine_;
  boost::asio::steady_timer timer_;
  std::string job_id_;
  int attempt_;
  bool follow_;
  std::string token_;  // where the next read starts; empty: the head
  std::shared_ptr<ResponseStream> stream_;
  bool ended_ = false;
  bool waiting_for_drain_ = false;
  std::chrono::steady_clock::time_point last_write_ = std::chrono::steady_clock::now();
};

HttpResponse Error(const Status& status) { return ErrorResponse(AwsService::kScheduler, status); }

}  // namespace

std::span<const Route<JobLogsApi>> JobLogsApi::Routes() {
  static constexpr Route<JobLogsApi> kRoutes[] = {
      {.spec = {.method = "GET",
                .path = "/api/v1/jobs/{id}/logs",
                .operation_id = "streamJobLogs",
                .access = auth::Access::kViewer,
                .summary =
                    "An attempt's output as Server-Sent Events (log events, then one end event)",
                .parameters = R"([
            {"name": "follow", "schema": {"type": "boolean", "default": false},
             "description": "wait for the attempt and stream its output until it ends"},
            {"name": "attempt", "schema": {"type": "integer", "minimum": 1, "maximum": 10},
             "description": "1-based; the latest attempt by default"}])",
                .media_type = "text/event-stream"},
       .raw = &JobLogsApi::StreamLogs},
  };
  return kRoutes;
}

bool JobLogsApi::Handle(const HttpRequest& request, const Respond& respond) {
  return Serve(*this, Routes(), {engine_, AwsService::kScheduler}, request, respond);
}

void JobLogsApi::StreamLogs(const RouteCall& call, const Respond& respond) {
  Result<HttpResponse> answer = Logs(call.Param("id"), call.request);
  respond(answer.ok() ? std::move(*answer) : Error(answer.status()));
}

Result<HttpResponse> JobLogsApi::Logs(const std::string& job_id, const HttpRequest& request) {
  Result<std::optional<core::Job>> job = engine_.GetJob(job_id);
  if (!job.ok()) return job.status();
  if (!*job) return Status::NotFound("job " + job_id + " does not exist");
  const core::Job& j = **job;
  if (j.array_size > 0) {
    return Status::InvalidArgument("job " + job_id + " is an array job: its children " + job_id + ":0 to " + job_id +
                                   ":" + std::to_string(j.array_size - 1) + " have the logs");
  }
  int attempt = std::max(1, static_cast<int>(j.attempts.size()));
  if (const std::string text = QueryValue(request, "attempt"); !text.empty()) {
    char* end = nullptr;
    const long n = std::strtol(text.c_str(), &end, 10);
    if (*end != '\0' || n < 1 || n > 10) return Status::InvalidArgument("attempt must be an integer from 1 to 10");
    attempt = static_cast<int>(n);
  }
  HttpResponse r;
  r.content_type = "text/event-stream";
  r.headers.emplace_back("Cache-Control", "no-cache");
  auto follower = std::make_shared<LogFollower>(engine_, io_, job_id, attempt, QueryValue(request, "follow") == "true");
  r.stream = [follower](std::shared_ptr<ResponseStream> stream) { follower->Start(std::move(stream)); };
  return r;
}

}  // namespace nightshift::api
