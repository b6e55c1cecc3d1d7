// SchedulesApi: nightshift's native schedule routes, for what EventBridge's shapes cannot say
// (DST, overlap and catch-up policies, pause notes, run now, backfill, fire history): list,
// create, get, replace and delete schedules; pause, resume, trigger and backfill one; its fires.
// Routes() declares each one (path, body, answer), in schedules_api.cc.
// Every route takes ?group= (default "default"). Errors are AWS-style, as Scheduler's.
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

class SchedulesApi {
 public:
  explicit SchedulesApi(engine::Engine& engine) : engine_(engine) {}

  // The routes, declared once: served from here and described in the OpenAPI document.
  static std::span<const Route<SchedulesApi>> Routes();

  // True if the request is for one of Routes() (then `respond` is called).
  bool Handle(const HttpRequest& request, const Respond& respond);

 private:
  Result<Json> List(const RouteCall& call);
  Result<Json> Create(const RouteCall& call);
  Result<Json> Get(const RouteCall& call);
  Result<Json> Replace(const RouteCall& call);
  Result<Json> Delete(const RouteCall& call);
  Result<Json> Pause(const RouteCall& call);
  Result<Json> Resume(const RouteCall& call);
  Result<Json> ChangeState(const RouteCall& call, bool pause);
  Result<Json> Trigger(const RouteCall& call);
  Result<Json> Backfill(const RouteCall& call);
  Result<Json> Fires(const RouteCall& call);
  Status ReadSpec(const Json& body, core::Schedule& s);
  Json ScheduleJson(const core::Schedule& s) const;
  Json FireJson(const core::Fire& f, const schedule::Zone& zone) const;
  Json FiresJson(const std::vector<core::Fire>& fires, const core::Schedule& s) const;

  engine::Engine& engine_;
};

}  // namespace nightshift::api
