#include "api/events_api.h"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <utility>  // Boost 1.74's asio needs std::exchange declared first under GCC 12.

#include "api/aws_error.h"
#include "events/sse.h"

namespace nightshift::api {
namespace {

constexpr auto kHeartbeatInterval = std::chrono::seconds(15);

}  // namespace

struct EventsApi::Timer {
  explicit Timer(boost::asio::io_context& io) : timer(io) {}
  boost::asio::steady_timer timer;
};

EventsApi::EventsApi(engine::Engine& engine)
    : engine_(engine), heartbeat_(std::make_unique<Timer>(engine.io_context())) {
  listener_ = engine_.AddEventListener(
      [this](const engine::Engine::EventBatch& batch) { OnCommitted(batch); });
  ArmHeartbeat();
}

EventsApi::~EventsApi() {
  engine_.RemoveEventListener(listener_);
  heartbeat_->timer.cancel();
  for (auto& [id, client] : clients_) {
    client.stream->OnClosed(nullptr);
    client.stream->OnDrained(nullptr);
  }
}

std::span<const Route<EventsApi>> EventsApi::Routes() {
  static constexpr Route<EventsApi> kRoutes[] = {
      {.spec = {.method = "GET",
                .path = "/api/v1/events",
                .operation_id = "streamEvents",
                .access = auth::Access::kViewer,
                .summary = "The event stream (Server-Sent Events, each data an Event), resumable",
                .parameters = R"([
            {"name": "type", "schema": {"type": "string"}, "description":
             "job, run and/or schedule, comma-separated or repeated"},
            {"name": "queue", "schema": {"type": "string"}, "description": "job queues"},
            {"name": "pipeline", "schema": {"type": "string"}, "description": "pipelines"},
            {"name": "status", "schema": {"type": "string"}, "description": "statuses"},
            {"name": "since", "schema": {"type": "integer", "minimum": 0},
             "description": "resume after this event id"},
            {"name": "Last-Event-ID", "in": "header", "schema": {"type": "integer", "minimum": 0},
             "description": "resume after this event id"}])",
                .media_type = "text/event-stream"},
       .raw = &EventsApi::Stream},
  };
  return kRoutes;
}

bool EventsApi::Handle(const HttpRequest& request, const Respond& respond) {
  return Serve(*this, Routes(), {engine_, AwsService::kScheduler}, request, respond);
}

void EventsApi::Stream(const RouteCall& call, const Respond& respond) {
  const HttpRequest& request = call.request;
  Result<core::EventFilter> filter = core::ParseEventFilter(ParseQuery(request.query));
  Result<std::optional<uint64_t>> resume =
      events::ResumePoint(request.Header("last-event-id"), QueryValue(request, "since"));
  if (!filter.ok() || !resume.ok()) {
    respond(
        ErrorResponse(AwsService::kScheduler, !filter.ok() ? filter.status() : resume.status()));
    return;
  }
  HttpResponse r;
  r.content_type = "text/event-stream";
  r.headers = {{"Cache-Control", "no-cache"}, {"X-Accel-Buffering", "no"}};
  const int id = next_client_++;
  r.stream = [this, id, filter = *filter,
              resume = *resume](std::shared_ptr<ResponseStream> stream) {
    Open(id, std::move(stream), filter, resume);
  };
  respond(std::move(r));
}

void EventsApi::Open(int id, std::shared_ptr<ResponseStream> stream, core::EventFilter filter,
                     std::optional<uint64_t> resume_after) {
  Client& client = clients_[id];
  client.stream = std::move(stream);
  client.filter = std::move(filter);
  client.cursor = resume_after.value_or(engine_.last_committed_event_id());
  client.live = !resume_after;
  client.stream->OnClosed([this, id] { clients_.erase(id); });
  // The first bytes say the stream is open, and from which event it goes on.
  client.stream->Send(
      "retry: 1000\n" + events::SseComment("after event " + std::to_string(client.cursor)),
      kClientBufferLimit);
  if (!client.live) CatchUp(id);
}

void EventsApi::CatchUp(int id) {
  auto it = clients_.find(id);
  if (it == clients_.end()) return;
  Client& client = it->second;
  client.stream->OnDrained(nullptr);
  Result<std::vector<core::Event>> page = engine_.ListEvents(client.cursor, kCatchUpPage);
  if (!page.ok()) {
    spdlog::warn("event stream: reading the event log: {}", page.status().ToString());
    client.stream->Finish(events::SseComment("error: " + page.status().message()));
    return;
  }
  for (const core::Event& event : *page) {
    if (!Deliver(id, client, event)) return;
  }
  if (page->size() < static_cast<size_t>(kCatchUpPage)) {
    // Every committed event has been read: from now on the listener brings the new ones (on
    // this thread, and only after their commit, so none is missed or sent twice).
    client.live = true;
    return;
  }
  if (client.stream->queued_bytes() > kClientBufferLimit / 2) {
    client.stream->OnDrained(
        [this, id] { boost::asio::post(engine_.io_context(), [this, id] { CatchUp(id); }); });
  } else {
    boost::asio::post(engine_.io_context(),
                      [this, id] { CatchUp(id); });  // let other work in between
  }
}

bool EventsApi::Deliver(int id, Client& client, const core::Event& event) {
  if (event.id <= client.cursor) return true;
  if (core::Matches(client.filter, event) &&
      !client.stream->Send(events::SseEvent(event), kClientBufferLimit)) {
    Drop(id, client);
    return false;
  }
  client.cursor = event.id;
  return true;
}

void EventsApi::Drop(int id, Client& client) {
  spdlog::info("event stream {}: the client fell behind; dropped after event {}", id,
               client.cursor);
  client.stream->Finish(events::SseDropped(client.cursor));  // OnClosed erases it later
  client.live = false;
}

void EventsApi::OnCommitted(const engine::Engine::EventBatch& batch) {
  for (auto& [id, client] : clients_) {
    if (!client.live) continue;
    for (const core::Event& event : *batch) {
      if (!Deliver(id, client, event)) break;
    }
  }
}

void EventsApi::Heartbeat() {
  for (auto& [id, client] : clients_) {
    // Bytes waiting and none taken for a whole interval: the client stopped reading.
    const uint64_t written = client.stream->written_bytes();
    if (client.stream->queued_bytes() > 0 && written == client.written_at_last_heartbeat) {
      Drop(id, client);
      continue;
    }
    client.written_at_last_heartbeat = written;
    if (!client.stream->Send(events::SseComment("heartbeat"), kClientBufferLimit)) Drop(id, client);
  }
}

void EventsApi::ArmHeartbeat() {
  heartbeat_->timer.expires_after(kHeartbeatInterval);
  heartbeat_->timer.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    Heartbeat();
    ArmHeartbeat();
  });
}

}  // namespace nightshift::api
