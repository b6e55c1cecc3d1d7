// WebhooksApi: webhook subscriptions and their delivery, JSON, AWS-style errors:
//   POST   /api/v1/webhooks                  subscribe {"url", "secret", "filter": {"type",
//   "status",
//                                            "queue", "pipeline"} (each a list), "description",
//                                            "retry": {"max_attempts", "initial_delay_ms"}}
//   GET    /api/v1/webhooks                  every subscription (secrets are never shown)
//   GET    /api/v1/webhooks/{id}             one
//   DELETE /api/v1/webhooks/{id}
//   GET    /api/v1/webhooks/{id}/deliveries  its delivery attempts, newest first (?limit=)
// It owns the Dispatcher (webhooks/dispatcher.h), which delivers on its own thread, and is its
// bridge to the engine: committed events go to it, its reads and records come back to the loop.
// Thread-safety: runs on the engine's loop thread (the dispatcher's hooks post to it).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/http_types.h"
#include "api/json_reader.h"
#include "engine/engine.h"
#include "webhooks/dispatcher.h"

namespace nightshift::api {

class WebhooksApi {
 public:
  explicit WebhooksApi(engine::Engine& engine);
  ~WebhooksApi();
  WebhooksApi(const WebhooksApi&) = delete;
  WebhooksApi& operator=(const WebhooksApi&) = delete;

  // True if the path belongs to these routes (then `respond` is called).
  bool Handle(const HttpRequest& request, const Respond& respond);

 private:
  Result<Json> Route(const HttpRequest& request, const std::vector<std::string>& parts,
                     bool& mutates);
  Result<Json> Create(const std::string& body);

  engine::Engine& engine_;
  std::unique_ptr<webhooks::Dispatcher> dispatcher_;
  int listener_ = 0;
};

}  // namespace nightshift::api
