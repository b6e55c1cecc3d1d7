// SchedulerApi: Amazon EventBridge Scheduler's rest-json API on top of the Engine, so that
// `aws scheduler create-schedule ...` and boto3's "scheduler" client work with --endpoint-url:
//   POST/GET/PUT/DELETE /schedules/{Name}   Create/Get/Update/DeleteSchedule
//   GET /schedules                          ListSchedules
//   GET /schedule-groups[/{Name}]           the built-in groups: default, and pipelines (the
//                                           schedules of pipeline files)
// Errors are Scheduler's: ValidationException (400), ResourceNotFoundException (404),
// ConflictException (409). nightshift's own policies (DST, overlap, catch-up) are not part of
// AWS's shapes: UpdateSchedule keeps them; the native API (/api/v1/schedules) sets them.
// Thread-safety: runs on the engine's loop thread.
#pragma once

#include "api/http_types.h"
#include "api/json_reader.h"
#include "engine/engine.h"

namespace nightshift::api {

class SchedulerApi {
 public:
  explicit SchedulerApi(engine::Engine& engine) : engine_(engine) {}

  // True if the path belongs to the Scheduler API (then `respond` is called).
  bool Handle(const HttpRequest& request, const Respond& respond);

 private:
  Result<Json> CreateSchedule(const std::string& name, const Json& body);
  Result<Json> UpdateSchedule(const std::string& name, const Json& body);
  Result<Json> GetSchedule(const std::string& name, const HttpRequest& request);
  Result<Json> DeleteSchedule(const std::string& name, const HttpRequest& request);
  Result<Json> ListSchedules(const HttpRequest& request);
  Result<Json> ScheduleGroups(const std::string& name, const HttpRequest& request);
  // Reads Create/UpdateSchedule's members into `s` (AWS's members only).
  Status ReadSchedule(const Json& body, core::Schedule& s);
  Json GroupJson(const std::string& name) const;

  engine::Engine& engine_;
};

}  // namespace nightshift::api
