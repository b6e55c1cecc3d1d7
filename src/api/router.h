// Router: the server's single request entry point. Sends each request to the API that owns it:
// its own routes (/healthz, /metrics, /api/v1/openapi.json), the AWS Batch routes (/v1/...),
// CloudWatch Logs (X-Amz-Target), EventBridge Scheduler (/schedules...), the native routes
// (/api/v1/...: pipelines, runs, schedules, job logs and explanations, events, webhooks, tokens,
// the audit log, the web UI's overview), the web UI's files (ui_assets.h: "/" and "/ui/...",
// open to all) — and answers the rest itself: 405 with an Allow header for a declared path
// asked with another method, else 404. It times every request for the API latency metric.
// Before a request is served it is admitted (request_auth.h: authenticated, and its role checked
// against what its route or AWS operation declares); every refused call and every admitted call
// that may change something is written to the audit log (audit.h) with how it ended.
// The native routes (NativeRoutes()) are each declared once, by the API that serves them; the
// OpenAPI document is built from the same declarations.
// Thread-safety: runs on the engine's loop thread.
#pragma once

#include <span>
#include <vector>

#include "api/access_api.h"
#include "api/batch_api.h"
#include "api/events_api.h"
#include "api/http_types.h"
#include "api/job_logs_api.h"
#include "api/logs_api.h"
#include "api/overview_api.h"
#include "api/pipelines_api.h"
#include "api/rate_limiter.h"
#include "api/route_table.h"
#include "api/scheduler_api.h"
#include "api/schedules_api.h"
#include "api/ui_assets.h"
#include "api/webhooks_api.h"
#include "api/why_api.h"
#include "auth/authenticator.h"
#include "engine/engine.h"

namespace nightshift::api {

class Router {
 public:
  // `io` is the engine's loop (for the timers of followed logs). `authenticator` must outlive
  // the router.
  Router(engine::Engine& engine, boost::asio::io_context& io, const auth::Authenticator& authenticator);
  void Handle(HttpRequest request, const Respond& respond);
  // Requests over `limiter`'s rate (per access key id, else per remote address) are answered 429
  // after authentication and before routing. Null (the default): no limit. Must outlive the router.
  void SetRateLimiter(RateLimiter* limiter) { limiter_ = limiter; }
  // Serves the web UI from `dir` (a built web/dist). Without it, the UI's paths answer a page
  // that says how to build it.
  void SetUiDir(std::string dir) { ui_ = UiAssets(std::move(dir)); }
  const UiAssets& ui() const { return ui_; }

  // The router's own routes.
  static std::span<const Route<Router>> Routes();
  // Every native route, in the order they are served: the router's own, then each native API's.
  static std::vector<RouteSpec> NativeRoutes();
  // The API latency metric's label for a request's route: a native route's declared path
  // template, else RouteTemplate()'s ("other" for a path no route serves).
  std::string RouteLabel(const HttpRequest& request) const;

 private:
  void Dispatch(const HttpRequest& request, const Respond& respond);
  void Metrics(const RouteCall& call, const Respond& respond);
  void Health(const RouteCall& call, const Respond& respond);
  void OpenApi(const RouteCall& call, const Respond& respond);
  // The answer to a request no route serves.
  HttpResponse NoRoute(const HttpRequest& request) const;

  engine::Engine& engine_;
  const auth::Authenticator& authenticator_;
  RateLimiter* limiter_ = nullptr;
  BatchApi batch_;
  LogsApi logs_;
  SchedulerApi scheduler_;
  SchedulesApi schedules_;
  PipelinesApi pipelines_;
  WhyApi why_;
  JobLogsApi job_logs_;
  EventsApi events_;
  WebhooksApi webhooks_;
  AccessApi access_;
  OverviewApi overview_;
  UiAssets ui_{""};
  const std::vector<RouteSpec> native_routes_ = NativeRoutes();
  const Result<Json> openapi_;  // the document, built once
};

}  // namespace nightshift::api
