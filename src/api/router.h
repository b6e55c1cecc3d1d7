// Router: the server's single request entry point. Sends each request to the API that owns it:
// /healthz, the AWS Batch routes (/v1/...), CloudWatch Logs (X-Amz-Target), EventBridge
// Scheduler (/schedules...), the native routes (/api/v1/...: schedules, pipelines and runs, job logs) — and answers the rest with 404.
// Thread-safety: runs on the engine's loop thread.
#pragma once

#include "api/batch_api.h"
#include "api/http_types.h"
#include "api/job_logs_api.h"
#include "api/logs_api.h"
#include "api/pipelines_api.h"
#include "api/scheduler_api.h"
#include "api/schedules_api.h"
#include "api/why_api.h"
#include "engine/engine.h"

namespace nightshift::api {

class Router {
 public:
  // `io` is the engine's loop (for the timers of followed logs).
  Router(engine::Engine& engine, boost::asio::io_context& io);
  void Handle(const HttpRequest& request, const Respond& respond);

 private:
  BatchApi batch_;
  LogsApi logs_;
  SchedulerApi scheduler_;
  SchedulesApi schedules_;
  PipelinesApi pipelines_;
  WhyApi why_;
  JobLogsApi job_logs_;
};

}  // namespace nightshift::api
