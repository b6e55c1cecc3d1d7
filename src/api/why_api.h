// WhyApi: the native route that explains a job (core/explanation.h):
//   GET /api/v1/jobs/{id}/why  ->  {"jobId", "jobName", "status", "summary",
//                                   "facts": [{"kind", "text"}]}
// The summary is the job's statusReason while it waits; facts say what it waits on, in numbers.
// An unknown job answers 404 (ClientException, as DescribeJobs's routes do).
// Thread-safety: runs on the engine's loop thread.
#pragma once

#include <span>

#include "api/http_types.h"
#include "api/json_reader.h"
#include "api/route_table.h"
#include "engine/engine.h"

namespace nightshift::api {

class WhyApi {
 public:
  explicit WhyApi(engine::Engine& engine) : engine_(engine) {}

  // The route, declared once: served from here and described in the OpenAPI document.
  static std::span<const Route<WhyApi>> Routes();

  // True if the request is for Routes() (then `respond` is called).
  bool Handle(const HttpRequest& request, const Respond& respond);

 private:
  Result<Json> Why(const RouteCall& call);

  engine::Engine& engine_;
};

}  // namespace nightshift::api
