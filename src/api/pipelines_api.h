// PipelinesApi: nightshift's native pipeline and run routes (JSON; AWS-style errors): list,
// apply, get and delete pipelines; start and list a pipeline's runs; get, cancel and rerun a run.
// Routes() declares each one (path, body, answer), in pipelines_api.cc.
// An invalid file answers 400 with every problem: {"__type": "ValidationException", "message",
// "problems": [{"line", "column", "message"}]}.
// Thread-safety: runs on the engine's loop thread.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "api/http_types.h"
#include "api/json_reader.h"
#include "api/route_table.h"
#include "engine/engine.h"

namespace nightshift::api {

// The JSON of a run, as the API and `nightshift run --output json` show it.
Json RunJson(const core::PipelineRun& run);

class PipelinesApi {
 public:
  explicit PipelinesApi(engine::Engine& engine) : engine_(engine) {}

  // The routes, declared once: served from here and described in the OpenAPI document.
  static std::span<const Route<PipelinesApi>> Routes();

  // True if the request is for one of Routes() (then `respond` is called).
  bool Handle(const HttpRequest& request, const Respond& respond);

 private:
  void Apply(const RouteCall& call, const Respond& respond);
  Result<Json> List(const RouteCall& call);
  Result<Json> Get(const RouteCall& call);
  Result<Json> Delete(const RouteCall& call);
  Result<Json> ListRuns(const RouteCall& call);
  Result<Json> StartRun(const RouteCall& call);
  Result<Json> GetRun(const RouteCall& call);
  Result<Json> CancelRun(const RouteCall& call);
  Result<Json> Rerun(const RouteCall& call);
  Result<Json> PipelineJson(const core::PipelineVersion& version, bool full);

  engine::Engine& engine_;
};

}  // namespace nightshift::api
