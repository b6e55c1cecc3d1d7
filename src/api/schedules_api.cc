#include "api/schedules_api.h"

#include <cstdlib>

#include "api/answer.h"
#include "api/schedule_target.h"

namespace nightshift::api {
namespace {

constexpr char kPrefix[] = "/api/v1/schedules";
constexpr char kDefaultGroup[] = "default";
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

std::string Utc(TimeMs t) { return schedule::FormatRfc3339(t, schedule::Zone::Utc()); }

schedule::Zone ZoneOf(const core::Schedule& s) {
  Result<schedule::Zone> zone = schedule::Zone::Load(s.timezone);
  return zone.ok() ? *zone : schedule::Zone::Utc();
}

}  // namespace

bool SchedulesApi::Handle(const HttpRequest& request, const Respond& respond) {
  const std::string prefix = kPrefix;
  if (request.path != prefix && request.path.rfind(prefix + "/", 0) != 0) return false;
  bool mutates = false;
  Result<Json> result = Route(request, SplitPath(request.path.substr(prefix.size())), mutates);
  Answer(engine_, AwsService::kScheduler, result.ok() ? Result<std::string>(result->dump()) : result.status(),
         mutates, respond);
  return true;
}

Result<Json> SchedulesApi::Route(const HttpRequest& request, const std::vector<std::string>& parts,
                                 bool& mutates) {
  std::string group = QueryValue(request, "group");
  if (group.empty()) group = kDefaultGroup;
  const std::string& method = request.method;
  const Status no_route = Status::NotFound("no route for " + method + " " + request.path);

  if (parts.empty()) {
    if (method == "GET") {
      Json list = Json::array();
      for (const core::Schedule* s : engine_.Schedules()) list.push_back(ScheduleJson(*s));
      return Json{{"schedules", list}};
    }
    if (method != "POST") return no_route;
    mutates = true;
    Result<Json> body = ParseBody(request.body);
    if (!body.ok()) return body.status();
    return Create(*body, group);
  }
  const std::string& name = parts[0];
  const core::Schedule* s = engine_.FindSchedule(group, name);
  if (parts.size() == 1) {
    if (method == "GET") {
      if (!s) return Status::NotFound("Schedule " + name + " does not exist.");
      return ScheduleJson(*s);
    }
    if (method == "PUT") {
      mutates = true;
      Result<Json> body = ParseBody(request.body);
      if (!body.ok()) return body.status();
      return Replace(group, name, *body);
    }
    if (method == "DELETE") {
      mutates = true;
      NS_RETURN_IF_ERROR(engine_.DeleteSchedule(group, name));
      return Json::object();
    }
    return no_route;
  }
  if (parts.size() != 2) return no_route;
  const std::string& verb = parts[1];
  if (verb == "fires" && method == "GET") return Fires(group, name, request);
  if (method != "POST") return no_route;
  mutates = true;
  if (verb == "pause" || verb == "resume") {
    Result<std::string> note = ReadNote(request.body);
    if (!note.ok()) return note.status();
    Result<core::Schedule> changed = verb == "pause" ? engine_.PauseSchedule(group, name, *note)
                                                     : engine_.ResumeSchedule(group, name, *note);
    if (!changed.ok()) return changed.status();
    return ScheduleJson(*changed);
  }
  if (verb == "trigger") {
    Result<std::optional<core::OverlapPolicy>> overlap = ReadOverlapOverride(request.body);
    if (!overlap.ok()) return overlap.status();
    Result<std::vector<core::Fire>> fires = engine_.TriggerSchedule(group, name, *overlap);
    if (!fires.ok()) return fires.status();
    return FiresJson(*fires, *engine_.FindSchedule(group, name));
  }
  if (verb == "backfill") {
    Result<Json> body = ParseBody(request.body);
    if (!body.ok()) return body.status();
    JsonReader r(*body, "");
    std::optional<TimeMs> from = ReadTime(r, "from", true);
    std::optional<TimeMs> to = ReadTime(r, "to", true);
    std::optional<core::OverlapPolicy> overlap = ReadEnum(r, "overlap", &core::ParseOverlapPolicy);
    NS_RETURN_IF_ERROR(r.Finish());
    Result<engine::Engine::Backfill> backfill = engine_.BackfillSchedule(group, name, *from, *to, overlap);
    if (!backfill.ok()) return backfill.status();
    const core::Schedule& schedule = *engine_.FindSchedule(group, name);
    Json out = FiresJson(backfill->fires, schedule);
    const schedule::Zone zone = ZoneOf(schedule);
    Json already = Json::array();
    for (TimeMs t : backfill->already_fired) already.push_back(schedule::FormatRfc3339(t, zone));
    out["already_fired"] = already;
    return out;
  }
  return no_route;
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

Result<Json> SchedulesApi::Create(const Json& body, const std::string& group) {
  core::Schedule s;
  s.group = group;
  if (body.contains("group") && body["group"].is_string()) s.group = body["group"].get<std::string>();
  if (!body.contains("name") || !body["name"].is_string()) return Status::InvalidArgument("name is required");
  s.name = body["name"].get<std::string>();
  NS_RETURN_IF_ERROR(ReadSpec(body, s));
  Result<core::Schedule> created = engine_.CreateSchedule(std::move(s));
  if (!created.ok()) return created.status();
  return ScheduleJson(*created);
}

Result<Json> SchedulesApi::Replace(const std::string& group, const std::string& name, const Json& body) {
  const core::Schedule* existing = engine_.FindSchedule(group, name);
  if (!existing) return Status::NotFound("Schedule " + name + " does not exist.");
  core::Schedule s = *existing;
  NS_RETURN_IF_ERROR(ReadSpec(body, s));
  Result<core::Schedule> updated = engine_.UpdateSchedule(std::move(s));
  if (!updated.ok()) return updated.status();
  return ScheduleJson(*updated);
}

Result<Json> SchedulesApi::Fires(const std::string& group, const std::string& name, const HttpRequest& request) {
  const core::Schedule* s = engine_.FindSchedule(group, name);
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
           {"created_at", Utc(s.created_at)},
           {"modified_at", Utc(s.modified_at)}};
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
