// EventsApi: the live event stream, GET /api/v1/events (Server-Sent Events).
//   ?type=job|run|schedule  ?queue=  ?pipeline=  ?status=   filters (lists with commas)
//   Last-Event-ID header, or ?since=ID                       resume after that event id
// A client that resumes first gets the committed events after its id from the store, a page at
// a time as its connection takes them, then the live ones: every matching event exactly once,
// in id order, across restarts of the server (within the log's retention). Live events arrive
// from the engine right after each commit (no polling); a comment line every 15 s keeps idle
// connections open. Each client has a bounded buffer: one that falls behind gets a last
// "dropped" event naming the id to resume after and is disconnected, so a slow client never
// holds the engine back or grows the server's memory.
// Thread-safety: runs on the engine's loop thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>

#include "api/http_types.h"
#include "api/route_table.h"
#include "core/event.h"
#include "engine/engine.h"

namespace nightshift::api {

class EventsApi {
 public:
  explicit EventsApi(engine::Engine& engine);
  ~EventsApi();
  EventsApi(const EventsApi&) = delete;
  EventsApi& operator=(const EventsApi&) = delete;

  // The route, declared once: served from here and described in the OpenAPI document.
  static std::span<const Route<EventsApi>> Routes();

  // True if the request is for Routes() (then `respond` is called).
  bool Handle(const HttpRequest& request, const Respond& respond);

  static constexpr size_t kClientBufferLimit = 1 << 20;  // queued bytes per client
  static constexpr int kCatchUpPage = 500;               // events read from the store at a time

 private:
  void Stream(const RouteCall& call, const Respond& respond);

  struct Client {
    std::shared_ptr<ResponseStream> stream;
    core::EventFilter filter;
    uint64_t cursor = 0;  // the last event id sent to it, or passed over by its filter
    bool live = false;    // caught up: takes events as they are committed
    uint64_t written_at_last_heartbeat = 0;
  };

  void Open(int id, std::shared_ptr<ResponseStream> stream, core::EventFilter filter,
            std::optional<uint64_t> resume_after);
  // Sends stored events after the client's cursor until it is caught up, or its buffer is half
  // full (then it goes on when the buffer drains).
  void CatchUp(int id);
  // Sends `event` if it matches; false if the client fell behind (and was dropped).
  bool Deliver(int id, Client& client, const core::Event& event);
  void Drop(int id, Client& client);
  void OnCommitted(const engine::Engine::EventBatch& batch);
  void Heartbeat();
  void ArmHeartbeat();

  struct Timer;  // the heartbeat's asio timer, kept out of this header

  engine::Engine& engine_;
  std::unique_ptr<Timer> heartbeat_;
  std::map<int, Client> clients_;
  int next_client_ = 1;
  int listener_ = 0;
};

}  // namespace nightshift::api
