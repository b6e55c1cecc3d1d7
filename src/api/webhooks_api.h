// WebhooksApi: webhook subscriptions and their delivery, JSON, AWS-style errors: subscribe (a URL,
// a secret, a filter, a retry policy), list, get and unsubscribe, and a subscription's delivery
// attempts. Routes() declares each one (path, body, answer), in webhooks_api.cc.
// It owns the Dispatcher (webhooks/dispatcher.h), which delivers on its own thread, and is its
// bridge to the engine: committed events go to it, its reads and records come back to the loop.
// Thread-safety: runs on the engine's loop thread (the dispatcher's hooks post to it).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "api/http_types.h"
#include "api/json_reader.h"
#include "api/route_table.h"
#include "engine/engine.h"
#include "webhooks/dispatcher.h"

namespace nightshift::api {

class WebhooksApi {
 public:
  explicit WebhooksApi(engine::Engine& engine);
  ~WebhooksApi();
  WebhooksApi(const WebhooksApi&) = delete;
  WebhooksApi& operator=(const WebhooksApi&) = delete;

  // The routes, declared once: served from here and described in the OpenAPI document.
  static std::span<const Route<WebhooksApi>> Routes();

  // True if the request is for one of Routes() (then `respond` is called).
  bool Handle(const HttpRequest& request, const Respond& respond);

 private:
  Result<Json> Create(const RouteCall& call);
  Result<Json> List(const RouteCall& call);
  Result<Json> Get(const RouteCall& call);
  Result<Json> Delete(const RouteCall& call);
  Result<Json> Deliveries(const RouteCall& call);
  // The subscription, or NotFound.
  Result<const core::WebhookSubscription*> Find(const std::string& id) const;

  engine::Engine& engine_;
  std::unique_ptr<webhooks::Dispatcher> dispatcher_;
  int listener_ = 0;
};

}  // namespace nightshift::api
