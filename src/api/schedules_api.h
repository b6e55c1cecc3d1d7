// SchedulesApi: nightshift's native schedule routes, for what EventBridge's shapes cannot say
// (DST, overlap and catch-up policies, pause notes, run now, backfill, fire history):
//   GET    /api/v1/schedules                      list, with each schedule's next fire
//   POST   /api/v1/schedules                      create (body: ScheduleSpec, see README)
//   GET    /api/v1/schedules/{name}               one schedule, its progress and next fires
//   PUT    /api/v1/schedules/{name}               replace its definition (progress is kept)
//   DELETE /api/v1/schedules/{name}
//   POST   /api/v1/schedules/{name}/pause         {"note": "..."}
//   POST   /api/v1/schedules/{name}/resume        {"note": "..."}
//   POST   /api/v1/schedules/{name}/trigger       {"overlap": "allow_all"} (optional)
//   POST   /api/v1/schedules/{name}/backfill      {"from": RFC3339, "to": RFC3339, "overlap": ...}
//   GET    /api/v1/schedules/{name}/fires         ?limit=&next_token=&from=&to=  (newest first)
// Every route takes ?group= (default "default"). Errors are AWS-style, as Scheduler's.
// Thread-safety: runs on the engine's loop thread.
#pragma once

#include <string>
#include <vector>

#include "api/http_types.h"
#include "api/json_reader.h"
#include "engine/engine.h"

namespace nightshift::api {

class SchedulesApi {
 public:
  explicit SchedulesApi(engine::Engine& engine) : engine_(engine) {}

  // True if the path belongs to these routes (then `respond` is called).
  bool Handle(const HttpRequest& request, const Respond& respond);

 private:
  Result<Json> Route(const HttpRequest& request, const std::vector<std::string>& parts, bool& mutates);
  Result<Json> Create(const Json& body, const std::string& group);
  Result<Json> Replace(const std::string& group, const std::string& name, const Json& body);
  Result<Json> Fires(const std::string& group, const std::string& name, const HttpRequest& request);
  Status ReadSpec(const Json& body, core::Schedule& s);
  Json ScheduleJson(const core::Schedule& s) const;
  Json FireJson(const core::Fire& f, const schedule::Zone& zone) const;
  Json FiresJson(const std::vector<core::Fire>& fires, const core::Schedule& s) const;

  engine::Engine& engine_;
};

}  // namespace nightshift::api
