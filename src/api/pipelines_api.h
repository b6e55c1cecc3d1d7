// PipelinesApi: nightshift's native pipeline and run routes (JSON; AWS-style errors):
//   GET    /api/v1/pipelines                     latest versions, with schedule and last runs
//   POST   /api/v1/pipelines                     apply {"source": file text, "base_dir": dir}
//   GET    /api/v1/pipelines/{name}              the latest version: source, steps, schedule
//   DELETE /api/v1/pipelines/{name}
//   POST   /api/v1/pipelines/{name}/runs         start a run {"params": {...}, "logical_date": RFC3339}
//   GET    /api/v1/pipelines/{name}/runs         run history, newest first (?limit=&next_token=)
//   GET    /api/v1/runs/{id}                     a run with its steps
//   POST   /api/v1/runs/{id}/cancel              {"reason": "..."}
//   POST   /api/v1/runs/{id}/rerun               rerun the failed and skipped steps
// An invalid file answers 400 with every problem: {"__type": "ValidationException", "message",
// "problems": [{"line", "column", "message"}]}.
// Thread-safety: runs on the engine's loop thread.
#pragma once

#include <string>
#include <vector>

#include "api/http_types.h"
#include "api/json_reader.h"
#include "engine/engine.h"

namespace nightshift::api {

// The JSON of a run, as the API and `nightshift run --output json` show it.
Json RunJson(const core::PipelineRun& run);

class PipelinesApi {
 public:
  explicit PipelinesApi(engine::Engine& engine) : engine_(engine) {}

  // True if the path belongs to these routes (then `respond` is called).
  bool Handle(const HttpRequest& request, const Respond& respond);

 private:
  Result<Json> Pipelines(const HttpRequest& request, const std::vector<std::string>& parts, bool& mutates);
  Result<Json> Runs(const HttpRequest& request, const std::vector<std::string>& parts, bool& mutates);
  Result<Json> Apply(const Json& body, const Respond& respond, bool& answered);
  Result<Json> PipelineJson(const core::PipelineVersion& version, bool full);

  engine::Engine& engine_;
};

}  // namespace nightshift::api
