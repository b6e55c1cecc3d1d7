// Router: the server's single request entry point. Sends each request to the API that owns it:
// /healthz, /metrics, the AWS Batch routes (/v1/...), CloudWatch Logs (X-Amz-Target), EventBridge
// Scheduler (/schedules...), the native routes (/api/v1/...: pipelines, runs, schedules, job logs
// and explanations, events, webhooks) — and answers the rest with 404. It times every request for
// the API latency metric.
// Thread-safety: runs on the engine's loop thread.
#pragma once

#include "api/batch_api.h"
#include "api/events_api.h"
#include "api/http_types.h"
#include "api/job_logs_api.h"
#include "api/logs_api.h"
#include "api/pipelines_api.h"
#include "api/scheduler_api.h"
#include "api/schedules_api.h"
#include "api/why_api.h"
#include "api/webhooks_api.h"
#include "auth/authenticator.h"
#include "engine/engine.h"

namespace nightshift::api {

class Router {
 public:
  // `io` is the engine's loop (for the timers of followed logs). `authenticator` must outlive
  // the router.
  Router(engine::Engine& engine, boost::asio::io_context& io, const auth::Authenticator& authenticator);
  void Handle(HttpRequest request, const Respond& respond);

 private:
  void Dispatch(const HttpRequest& request, const Respond& respond);

  engine::Engine& engine_;
  const auth::Authenticator& authenticator_;
  BatchApi batch_;
  LogsApi logs_;
  SchedulerApi scheduler_;
  SchedulesApi schedules_;
  PipelinesApi pipelines_;
  WhyApi why_;
  JobLogsApi job_logs_;
  EventsApi events_;
  WebhooksApi webhooks_;
};

}  // namespace nightshift::api
