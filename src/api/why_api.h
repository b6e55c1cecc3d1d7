// WhyApi: the native route that explains a job (core/explanation.h):
//   GET /api/v1/jobs/{id}/why  ->  {"jobId", "jobName", "status", "summary",
//                                   "facts": [{"kind", "text"}]}
// The summary is the job's statusReason while it waits; facts say what it waits on, in numbers.
// An unknown job answers 404 (ClientException, as DescribeJobs's routes do).
// Thread-safety: runs on the engine's loop thread.
#pragma once

#include "api/http_types.h"
#include "api/json_reader.h"
#include "engine/engine.h"

namespace nightshift::api {

class WhyApi {
 public:
  explicit WhyApi(engine::Engine& engine) : engine_(engine) {}

  // True if the request is for this route (then `respond` is called).
  bool Handle(const HttpRequest& request, const Respond& respond);

 private:
  Result<Json> Why(const std::string& job_id);

  engine::Engine& engine_;
};

}  // namespace nightshift::api
