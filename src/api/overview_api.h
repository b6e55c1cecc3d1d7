// OverviewApi: what the web UI's first page and its access checks need in one request each:
//   GET /api/v1/overview -> jobs per state, queues (depth, running, capacity used), compute
//                           environments (vCPUs in use of how many), the newest failures, the
//                           schedules' fires in the next 24 hours, and jobs ended per minute
//                           over the last hour (since the server started)
//   GET /api/v1/whoami   -> who the request's credential is and its role, and whether the
//                           server checks credentials at all (the UI hides what the role may
//                           not do, and shows a login form when it must)
// Job counts per state are the store's (top-level jobs, array children not counted); queue
// depth and running counts are the live ones (children counted: they are what runs).
// Thread-safety: runs on the engine's loop thread.
#pragma once

#include <span>

#include "api/http_types.h"
#include "api/json_reader.h"
#include "api/route_table.h"
#include "auth/authenticator.h"
#include "engine/engine.h"

namespace nightshift::api {

class OverviewApi {
 public:
  // `authenticator` must outlive the API.
  OverviewApi(engine::Engine& engine, const auth::Authenticator& authenticator)
      : engine_(engine), authenticator_(authenticator) {}

  // The routes, declared once: served from here and described in the OpenAPI document.
  static std::span<const Route<OverviewApi>> Routes();

  // True if the request is for one of Routes() (then `respond` is called).
  bool Handle(const HttpRequest& request, const Respond& respond);

 private:
  Result<Json> Overview(const RouteCall& call);
  Result<Json> WhoAmI(const RouteCall& call);
  Json QueuesJson(const Json& stored_by_queue) const;
  Json ComputeEnvironmentsJson() const;
  Result<Json> RecentFailures();
  Json UpcomingFires() const;
  Json ThroughputJson() const;

  engine::Engine& engine_;
  const auth::Authenticator& authenticator_;
};

}  // namespace nightshift::api
