#include "api/schedules_api.h"

#include <cstdlib>

#include "api/answer.h"
#include "api/schedule_target.h"

namespace nightshift::api {
namespace {

constexpr char kGroupParameter[] = R"([{"$ref": "#/components/parameters/group"}])";
constexpr char kScheduleRef[] = R"({"$ref": "#/components/schemas/Schedule"})";
constexpr char kSpecRef[] = R"({"$ref": "#/components/schemas/ScheduleSpec"})";
constexpr char kNoteBody[] = R"({"type": "object", "properties": {"note": {"type": "string"}}})";
constexpr char kFiresAnswer[] = R"({"type": "object", "required": ["fires"], "properties": {
    "fires": {"type": "array", "items": {"$ref": "#/components/schemas/Fire"}},
    "next_token": {"type": "string"}}})";
constexpr int kUpcomingFires = 5;
constexpr int kMaxFirePage = 1000;

std::optional<TimeMs> ReadTime(JsonReader& r, const std::string& key, bool required = false) {
  std::optional<std::string> text = r.String(key, required);
  if (!text) return std::nullopt;
  Result<TimeMs> t = schedule::ParseRfc3339(*text);
  if (!t.ok()) {
    r.Fail(Status::InvalidArgument(r.PathOf(key) + ": " + t.status().message()));
    return std::nullopt;
  }
  return *t;
}

template <typename T>
std::optional<T> ReadEnum(JsonReader& r, const std::string& key, Result<T> (*parse)(std::string_view)) {
  std::optional<std::string> text = r.String(key);
  if (!text) return std::nullopt;
  Result<T> value = parse(*text);
  if (!value.ok()) {
    r.Fail(Status::InvalidArgument(r.PathOf(key) + ": " + value.status().message()));
    return std::nullopt;
  }
  return *value;
}

Result<std::optional<core::OverlapPolicy>> ReadOverlapOverride(const std::string& body_text) {
  Result<Json> body = ParseBody(body_text);
  if (!body.ok()) return body.status();
  JsonReader r(*body, "");
  std::optional<core::OverlapPolicy> overlap = ReadEnum(r, "overlap", &core::ParseOverlapPolicy);
  NS_RETURN_IF_ERROR(r.Finish());
  return overlap;
}

Result<std::string> ReadNote(const std::string& body_text) {
  Result<Json> body = ParseBody(body_text);
  if (!body.ok()) return body.status();
  JsonReader r(*body, "");
  std::string note = r.String("note").value_or("");
  NS_RETURN_IF_ERROR(r.Finish());
  return note;
}

std::string GroupOf(const HttpRequest& request) {
  std::string group = QueryValue(request, "group");
  return group.empty() ? core::kDefaultScheduleGroup : group;
}

schedule::Zone ZoneOf(const core::Schedule& s) {
  Result<schedule::Zone> zone = schedule::Zone::Load(s.timezone);
  return zone.ok() ? *zone : schedule::Zone::Utc();
}

}  // namespace

std::span<const Route<SchedulesApi>> SchedulesApi::Routes() {
  static constexpr Route<SchedulesApi> kRoutes[] = {
      {.spec = {.method = "GET",
                .path = "/api/v1/schedules",
                .operation_id = "listSchedules",
                .access = auth::Access::kViewer,
                .summary = "Every schedule (of every group), with its progress and next fires",
                .parameters = kGroupParameter,
                .response = R"({"type": "object", "required": ["schedules"], "properties": {
            "schedules": {"type": "array", "items": {"$ref": "#/components/schemas/Schedule"}}}})"},
       .json = &SchedulesApi::List},
      {.spec = {.method = "POST",
                .path = "/api/v1/schedules",
                .operation_id = "createSchedule",
                .access = auth::Access::kOperator,
                .summary = "Create a schedule with its policies",
                .parameters = kGroupParameter,
                .request = kSpecRef,
                .response = kScheduleRef},
       .json = &SchedulesApi::Create},
      {.spec = {.method = "GET",
                .path = "/api/v1/schedules/{name}",
                .operation_id = "getSchedule",
                .access = auth::Access::kViewer,
                .summary = "A schedule with its policies, progress and next fires",
                .parameters = kGroupParameter,
                .response = kScheduleRef},
       .json = &SchedulesApi::Get},
      {.spec = {.method = "PUT",
                .path = "/api/v1/schedules/{name}",
                .operation_id = "replaceSchedule",
                .access = auth::Access::kOperator,
                .summary = "Replace a schedule's definition (its progress is kept)",
                .parameters = kGroupParameter,
                .request = kSpecRef,
                .response = kScheduleRef},
       .json = &SchedulesApi::Replace},
      {.spec = {.method = "DELETE",
                .path = "/api/v1/schedules/{name}",
                .operation_id = "deleteSchedule",
                .access = auth::Access::kOperator,
                .summary = "Delete a schedule",
                .parameters = kGroupParameter,
                .response = R"({"type": "object"})"},
       .json = &SchedulesApi::Delete},
      {.spec = {.method = "POST",
                .path = "/api/v1/schedules/{name}/pause",
                .operation_id = "pauseSchedule",
                .access = auth::Access::kOperator,
                .summary = "Pause a schedule, with a note saying why",
                .parameters = kGroupParameter,
                .request = kNoteBody,
                .response = kScheduleRef},
       .json = &SchedulesApi::Pause},
      {.spec = {.method = "POST",
                .path = "/api/v1/schedules/{name}/resume",
                .operation_id = "resumeSchedule",
                .access = auth::Access::kOperator,
                .summary = "Resume a paused schedule",
                .parameters = kGroupParameter,
                .request = kNoteBody,
                .response = kScheduleRef},
       .json = &SchedulesApi::Resume},
      {.spec = {.method = "POST",
                .path = "/api/v1/schedules/{name}/trigger",
                .operation_id = "triggerSchedule",
                .access = auth::Access::kOperator,
                .summary = "Fire a schedule now; overlap overrides its policy for this fire",
                .parameters = kGroupParameter,
                .request = R"({"type": "object", "properties": {"overlap": {"$ref":
            "#/components/schemas/OverlapPolicy"}}})",
                .response = kFiresAnswer},
       .json = &SchedulesApi::Trigger},
      {.spec = {.method = "POST",
                .path = "/api/v1/schedules/{name}/backfill",
                .operation_id = "backfillSchedule",
                .access = auth::Access::kOperator,
                .summary =
                    "Fire a schedule for every logical time in a range (at most 10,000 fires)",
                .parameters = kGroupParameter,
                .request = R"({"type": "object", "required": ["from", "to"], "properties": {
            "from": {"type": "string", "format": "date-time"},
            "to": {"type": "string", "format": "date-time"},
            "overlap": {"$ref": "#/components/schemas/OverlapPolicy"}}})",
                .response =
                    R"({"type": "object", "required": ["fires", "already_fired"], "properties": {
            "fires": {"type": "array", "items": {"$ref": "#/components/schemas/Fire"}},
            "already_fired": {"type": "array", "items": {"type": "string"}}}})"},
       .json = &SchedulesApi::Backfill},
      {.spec = {.method = "GET",
                .path = "/api/v1/schedules/{name}/fires",
                .operation_id = "listFires",
                .access = auth::Access::kViewer,
                .summary = "A schedule's fire history, newest first",
                .parameters = R"([{"$ref": "#/components/parameters/group"},
            {"$ref": "#/components/parameters/limit"},
            {"$ref": "#/components/parameters/next_token"},
            {"name": "from", "schema": {"type": "string", "format": "date-time"},
             "description": "earliest logical time"},
            {"name": "to", "schema": {"type": "string", "format": "date-time"},
             "description": "latest logical time"}])",
                .response = kFiresAnswer},
       .json = &SchedulesApi::Fires},
  };
  return kRoutes;
}

bool SchedulesApi::Handle(const HttpRequest& request, const Respond& respond) {
  return Serve(*this, Routes(), {engine_, AwsService::kScheduler}, request, respond);
}

Result<Json> SchedulesApi::List(const RouteCall& call) {
  Json list = Json::array();
  for (const core::Schedule* s : engine_.Schedules()) list.push_back(ScheduleJson(*s));
  return Json{{"schedules", list}};
}

Result<Json> SchedulesApi::Get(const RouteCall& call) {
  const std::string& name = call.Param("name");
  const core::Schedule* s = engine_.FindSchedule(GroupOf(call.request), name);
  if (!s) return Status::NotFound("Schedule " + name + " does not exist.");
  return ScheduleJson(*s);
}

Result<Json> SchedulesApi::Delete(const RouteCall& call) {
  NS_RETURN_IF_ERROR(engine_.DeleteSchedule(GroupOf(call.request), call.Param("name")));
  return Json::object();
}

Result<Json> SchedulesApi::Pause(const RouteCall& call) { return ChangeState(call, true); }

Result<Json> SchedulesApi::Resume(const RouteCall& call) { return ChangeState(call, false); }

Result<Json> SchedulesApi::ChangeState(const RouteCall& call, bool pause) {
  const std::string group = GroupOf(call.request);
  const std::string& name = call.Param("name");
  Result<std::string> note = ReadNote(call.request.body);
  if (!note.ok()) return note.status();
  Result<core::Schedule> changed = pause ? engine_.PauseSchedule(group, name, *note)
                                         : engine_.ResumeSchedule(group, name, *note);
  if (!changed.ok()) return changed.status();
  return ScheduleJson(*changed);
}

Result<Json> SchedulesApi::Trigger(const RouteCall& call) {
  const std::string group = GroupOf(call.request);
  const std::string& name = call.Param("name");
  Result<std::optional<core::OverlapPolicy>> overlap = ReadOverlapOverride(call.request.body);
  if (!overlap.ok()) return overlap.status();
  Result<std::vector<core::Fire>> fires = engine_.TriggerSchedule(group, name, *overlap);
  if (!fires.ok()) return fires.status();
  return FiresJson(*fires, *engine_.FindSchedule(group, name));
}

Result<Json> SchedulesApi::Backfill(const RouteCall& call) {
  const std::string group = GroupOf(call.request);
  const std::string& name = call.Param("name");
  Result<Json> body = ParseBody(call.request.body);
  if (!body.ok()) return body.status();
  JsonReader r(*body, "");
  std::optional<TimeMs> from = ReadTime(r, "from", true);
  std::optional<TimeMs> to = ReadTime(r, "to", true);
  std::optional<core::OverlapPolicy> overlap = ReadEnum(r, "overlap", &core::ParseOverlapPolicy);
  NS_RETURN_IF_ERROR(r.Finish());
  Result<engine::Engine::Backfill> backfill =
      engine_.BackfillSchedule(group, name, *from, *to, overlap);
  if (!backfill.ok()) return backfill.status();
  const core::Schedule& schedule = *engine_.FindSchedule(group, name);
  Json out = FiresJson(backfill->fires, schedule);
  const schedule::Zone zone = ZoneOf(schedule);
  Json already = Json::array();
  for (TimeMs t : backfill->already_fired) already.push_back(schedule::FormatRfc3339(t, zone));
  out["already_fired"] = already;
  return out;
}

Status SchedulesApi::ReadSpec(const Json& body, core::Schedule& s) {
  JsonReader r(body, "");
  r.Accept("name");
  r.Accept("group");
  s.expression = r.String("expression", true).value_or("");
  s.timezone = r.String("timezone").value_or("UTC");
  s.description = r.String("description").value_or("");
  s.start_date = ReadTime(r, "start");
  s.end_date = ReadTime(r, "end");
  s.flexible_window_minutes = static_cast<int>(r.Int("flexible_window_minutes", false, 0, 1440).value_or(0));
  s.max_active_runs = static_cast<int>(r.Int("max_active_runs", false, 1, 1000).value_or(1));
  s.state = ReadEnum(r, "state", &core::ParseScheduleState).value_or(core::ScheduleState::kEnabled);
  s.state_note = r.String("note").value_or("");
  s.overlap = ReadEnum(r, "overlap", &core::ParseOverlapPolicy).value_or(core::OverlapPolicy::kSkip);
  s.after_completion =
      ReadEnum(r, "after_completion", &core::ParseAfterCompletion).value_or(core::AfterCompletion::kNone);
  s.dst = {};
  if (const Json* dst = r.Object("dst")) {
    JsonReader d(*dst, "dst");
    s.dst.gap = ReadEnum(d, "gap", &schedule::ParseGapPolicy).value_or(schedule::GapPolicy::kShift);
    s.dst.repeat = ReadEnum(d, "repeat", &schedule::ParseRepeatPolicy).value_or(schedule::RepeatPolicy::kFirst);
    r.Fail(d.Finish());
  }
  s.catch_up = core::CatchUpPolicy::kLatest;
  s.catch_up_window_ms = core::kDefaultCatchUpWindowMs;
  if (const Json* catch_up = r.Object("catch_up")) {
    JsonReader c(*catch_up, "catch_up");
    s.catch_up = ReadEnum(c, "policy", &core::ParseCatchUpPolicy).value_or(core::CatchUpPolicy::kLatest);
    if (auto window = c.Int("window_seconds", false, 1, INT64_MAX / 1000)) s.catch_up_window_ms = *window * 1000;
    r.Fail(c.Finish());
  }
  if (const Json* submit = r.Object("submit_job", true)) {
    s.target.arn = std::string(core::kSubmitJobTargetArn);
    s.target.input = submit->dump();
  }
  NS_RETURN_IF_ERROR(r.Finish());
  return ValidateScheduleTarget(engine_, s.target);
}

Result<Json> SchedulesApi::Create(const RouteCall& call) {
  Result<Json> parsed = ParseBody(call.request.body);
  if (!parsed.ok()) return parsed.status();
  const Json& body = *parsed;
  core::Schedule s;
  s.group = GroupOf(call.request);
  if (body.contains("group") && body["group"].is_string()) s.group = body["group"].get<std::string>();
  if (!body.contains("name") || !body["name"].is_string()) return Status::InvalidArgument("name is required");
  s.name = body["name"].get<std::string>();
  NS_RETURN_IF_ERROR(ReadSpec(body, s));
  Result<core::Schedule> created = engine_.CreateSchedule(std::move(s));
  if (!created.ok()) return created.status();
  return ScheduleJson(*created);
}

Result<Json> SchedulesApi::Replace(const RouteCall& call) {
  Result<Json> body = ParseBody(call.request.body);
  if (!body.ok()) return body.status();
  const std::string& name = call.Param("name");
  const core::Schedule* existing = engine_.FindSchedule(GroupOf(call.request), name);
  if (!existing) return Status::NotFound("Schedule " + name + " does not exist.");
  core::Schedule s = *existing;
  NS_RETURN_IF_ERROR(ReadSpec(*body, s));
  Result<core::Schedule> updated = engine_.UpdateSchedule(std::move(s));
  if (!updated.ok()) return updated.status();
  return ScheduleJson(*updated);
}

Result<Json> SchedulesApi::Fires(const RouteCall& call) {
  const HttpRequest& request = call.request;
  const std::string& name = call.Param("name");
  const core::Schedule* s = engine_.FindSchedule(GroupOf(request), name);
  if (!s) return Status::NotFound("Schedule " + name + " does not exist.");
  store::FireQuery query;
  query.schedule = core::ScheduleKey(*s);
  query.page_token = QueryValue(request, "next_token");
  if (std::string limit = QueryValue(request, "limit"); !limit.empty()) {
    char* end = nullptr;
    const long value = std::strtol(limit.c_str(), &end, 10);
    if (*end != '\0' || value < 1 || value > kMaxFirePage) {
      return Status::InvalidArgument("limit must be an integer between 1 and " + std::to_string(kMaxFirePage));
    }
    query.limit = static_cast<int>(value);
  }
  for (const char* bound : {"from", "to"}) {
    std::string text = QueryValue(request, bound);
    if (text.empty()) continue;
    Result<TimeMs> t = schedule::ParseRfc3339(text);
    if (!t.ok()) return Status::InvalidArgument(std::string(bound) + ": " + t.status().message());
    (std::string(bound) == "from" ? query.logical_from : query.logical_to) = *t;
  }
  Result<store::FirePage> page = engine_.ListFires(query);
  if (!page.ok()) return page.status();
  Json out = FiresJson(page->fires, *s);
  if (!page->next_token.empty()) out["next_token"] = page->next_token;
  return out;
}

Json SchedulesApi::FireJson(const core::Fire& f, const schedule::Zone& zone) const {
  Json out{{"logical_time", schedule::FormatRfc3339(f.logical_time, zone)},
           {"trigger", std::string(core::Name(f.trigger))},
           {"outcome", std::string(core::Name(f.outcome))},
           {"reason", f.reason},
           {"due_time", schedule::FormatRfc3339(f.due_time, zone)},
           {"decided_at", schedule::FormatRfc3339(f.decided_at, zone)},
           {"lateness_ms", f.lateness_ms()}};
  if (!f.run_id.empty()) out["job_id"] = f.run_id;
  if (f.count > 1) {
    out["count"] = f.count;
    out["last_logical_time"] = schedule::FormatRfc3339(f.last_logical_time, zone);
  }
  return out;
}

Json SchedulesApi::FiresJson(const std::vector<core::Fire>& fires, const core::Schedule& s) const {
  const schedule::Zone zone = ZoneOf(s);
  Json list = Json::array();
  for (const core::Fire& f : fires) list.push_back(FireJson(f, zone));
  return Json{{"fires", list}};
}

Json SchedulesApi::ScheduleJson(const core::Schedule& s) const {
  const schedule::Zone zone = ZoneOf(s);
  Json out{{"name", s.name},
           {"group", s.group},
           {"arn", s.arn},
           {"description", s.description},
           {"expression", s.expression},
           {"timezone", s.timezone},
           {"dst", {{"gap", std::string(schedule::Name(s.dst.gap))}, {"repeat", std::string(schedule::Name(s.dst.repeat))}}},
           {"state", std::string(core::Name(s.state))},
           {"note", s.state_note},
           {"flexible_window_minutes", s.flexible_window_minutes},
           {"overlap", std::string(core::Name(s.overlap))},
           {"max_active_runs", s.max_active_runs},
           {"catch_up", {{"policy", std::string(core::Name(s.catch_up))}, {"window_seconds", s.catch_up_window_ms / 1000}}},
           {"after_completion", std::string(core::Name(s.after_completion))},
           {"created_at", schedule::FormatUtc(s.created_at)},
           {"modified_at", schedule::FormatUtc(s.modified_at)}};
  out["start"] = s.start_date ? Json(schedule::FormatRfc3339(*s.start_date, zone)) : Json(nullptr);
  out["end"] = s.end_date ? Json(schedule::FormatRfc3339(*s.end_date, zone)) : Json(nullptr);
  Json input = Json::parse(s.target.input, nullptr, false);
  out["target"] = {{"arn", s.target.arn}, {"input", input.is_discarded() ? Json(s.target.input) : input}};
  Json upcoming = Json::array();
  for (TimeMs t : engine_.UpcomingFires(s, kUpcomingFires)) upcoming.push_back(schedule::FormatRfc3339(t, zone));
  out["next_fires"] = upcoming;
  std::optional<TimeMs> due = engine_.NextDue(s);
  out["next_due"] = due ? Json(schedule::FormatRfc3339(*due, zone)) : Json(nullptr);
  out["active_runs"] = s.active_runs;
  Json buffered = Json::array();
  for (const core::BufferedFire& b : s.buffered) {
    buffered.push_back({{"logical_time", schedule::FormatRfc3339(b.logical_time, zone)},
                        {"trigger", std::string(core::Name(b.trigger))}});
  }
  out["buffered"] = buffered;
  return out;
}

}  // namespace nightshift::api
