#include "api/scheduler_api.h"

#include <cmath>

#include "api/answer.h"
#include "api/json_text.h"
#include "api/schedule_target.h"
#include "events/event_codec.h"

namespace nightshift::api {
namespace {

constexpr char kSchedulesPath[] = "/schedules";
constexpr char kGroupsPath[] = "/schedule-groups";

constexpr int64_t kDefaultMaxRetryAttempts = 185;
constexpr int64_t kDefaultMaxEventAgeSeconds = 86'400;

// Scheduler timestamps are epoch seconds on the wire (fractions allowed); nightshift keeps ms.
double Seconds(TimeMs ms) { return static_cast<double>(ms) / 1000.0; }

std::optional<TimeMs> ReadTimestamp(JsonReader& r, const std::string& key) {
  std::optional<double> seconds = r.Number(key);
  if (!seconds) return std::nullopt;
  return static_cast<TimeMs>(std::llround(*seconds * 1000.0));
}

Result<std::string> GroupOf(const HttpRequest& request, const std::string& key) {
  std::string group = QueryValue(request, key);
  if (group.empty()) group = core::kDefaultScheduleGroup;
  if (!core::IsKnownScheduleGroup(group)) return Status::NotFound("Schedule group " + group + " does not exist.");
  return group;
}

Json FlexibleWindowJson(int minutes) {
  if (minutes == 0) return Json{{"Mode", "OFF"}};
  return Json{{"Mode", "FLEXIBLE"}, {"MaximumWindowInMinutes", minutes}};
}

Json TargetJson(const core::ScheduleTarget& target) {
  Json out = Json::object();
  if (!target.extra_json.empty()) out = Json::parse(target.extra_json, nullptr, false);
  if (out.is_discarded() || !out.is_object()) out = Json::object();
  out["Arn"] = target.arn;
  out["RoleArn"] = target.role_arn;
  if (!target.input.empty()) out["Input"] = target.input;
  if (!out.contains("RetryPolicy")) {
    out["RetryPolicy"] = {{"MaximumEventAgeInSeconds", kDefaultMaxEventAgeSeconds},
                          {"MaximumRetryAttempts", kDefaultMaxRetryAttempts}};
  }
  return out;
}

Json ScheduleJson(const core::Schedule& s) {
  Json out;
  out["ActionAfterCompletion"] = std::string(core::Name(s.after_completion));
  out["Arn"] = s.arn;
  out["CreationDate"] = Seconds(s.created_at);
  if (!s.description.empty()) out["Description"] = s.description;
  if (s.end_date) out["EndDate"] = Seconds(*s.end_date);
  out["FlexibleTimeWindow"] = FlexibleWindowJson(s.flexible_window_minutes);
  out["GroupName"] = s.group;
  if (!s.kms_key_arn.empty()) out["KmsKeyArn"] = s.kms_key_arn;
  out["LastModificationDate"] = Seconds(s.modified_at);
  out["Name"] = s.name;
  out["ScheduleExpression"] = s.expression;
  out["ScheduleExpressionTimezone"] = s.timezone;
  if (s.start_date) out["StartDate"] = Seconds(*s.start_date);
  out["State"] = std::string(core::Name(s.state));
  out["Target"] = TargetJson(s.target);
  return out;
}

Status ReadTarget(JsonReader& parent, core::ScheduleTarget& target) {
  const Json* t = parent.Object("Target", true);
  if (!t) return Status::Ok();
  JsonReader r(*t, "Target");
  target.arn = r.String("Arn", true).value_or("");
  target.role_arn = r.String("RoleArn", true).value_or("");
  target.input = r.String("Input").value_or("");
  Json extra = Json::object();
  if (const Json* retry = r.Object("RetryPolicy")) {
    JsonReader p(*retry, "Target.RetryPolicy");
    p.Int("MaximumEventAgeInSeconds", false, 60, 86'400);
    p.Int("MaximumRetryAttempts", false, 0, 185);
    r.Fail(p.Finish());
    extra["RetryPolicy"] = *retry;
  }
  if (const Json* dlq = r.Object("DeadLetterConfig")) extra["DeadLetterConfig"] = *dlq;
  for (const char* unsupported : {"EcsParameters", "EventBridgeParameters", "KinesisParameters",
                                  "SageMakerPipelineParameters", "SqsParameters"}) {
    r.Unsupported(unsupported);
  }
  target.extra_json = extra.empty() ? "" : extra.dump();
  return r.Finish();
}

}  // namespace

bool SchedulerApi::Handle(const HttpRequest& request, const Respond& respond) {
  const std::string& path = request.path;
  const bool schedules = path == kSchedulesPath || path.rfind(std::string(kSchedulesPath) + "/", 0) == 0;
  const bool groups = path == kGroupsPath || path.rfind(std::string(kGroupsPath) + "/", 0) == 0;
  if (!schedules && !groups) return false;

  const std::string prefix = schedules ? kSchedulesPath : kGroupsPath;
  const std::string name = path.size() > prefix.size() ? PercentDecode(path.substr(prefix.size() + 1)) : "";
  const std::string& method = request.method;
  Result<Json> result = Status::NotFound("no route for " + method + " " + path);
  bool mutates = false;
  if (groups) {
    result = ScheduleGroups(name, request);
  } else if (name.empty()) {
    if (method == "GET") result = ListSchedules(request);
  } else if (method == "GET") {
    result = GetSchedule(name, request);
  } else if (method == "DELETE") {
    result = DeleteSchedule(name, request);
    mutates = true;
  } else if (method == "POST" || method == "PUT") {
    Result<Json> body = ParseBody(request.body);
    result = !body.ok() ? Result<Json>(body.status())
             : method == "POST" ? CreateSchedule(name, *body)
                                : UpdateSchedule(name, *body);
    mutates = true;
  }
  Answer(engine_, AwsService::kScheduler, result.ok() ? Result<std::string>(JsonText(*result)) : result.status(),
         mutates, respond);
  return true;
}

Status SchedulerApi::ReadSchedule(const Json& body, core::Schedule& s) {
  JsonReader r(body, "");
  r.Accept("ClientToken");  // idempotency: a retried create finds the schedule and conflicts
  s.description = r.String("Description").value_or("");
  if (s.description.size() > 512) r.Fail(Status::InvalidArgument("Description must be at most 512 characters"));
  s.end_date = ReadTimestamp(r, "EndDate");
  s.start_date = ReadTimestamp(r, "StartDate");
  if (const Json* window = r.Object("FlexibleTimeWindow", true)) {
    JsonReader w(*window, "FlexibleTimeWindow");
    const std::string mode = w.String("Mode", true).value_or("");
    const std::optional<int64_t> minutes = w.Int("MaximumWindowInMinutes", false, 1, 1440);
    if (w.ok() && mode == "FLEXIBLE") {
      if (!minutes) w.Fail(Status::InvalidArgument("FlexibleTimeWindow.MaximumWindowInMinutes is required when Mode is FLEXIBLE"));
      s.flexible_window_minutes = static_cast<int>(minutes.value_or(0));
    } else if (w.ok() && mode == "OFF") {
      if (minutes) w.Fail(Status::InvalidArgument("FlexibleTimeWindow.MaximumWindowInMinutes is not allowed when Mode is OFF"));
      s.flexible_window_minutes = 0;
    } else if (w.ok()) {
      w.Fail(Status::InvalidArgument("FlexibleTimeWindow.Mode must be OFF or FLEXIBLE"));
    }
    r.Fail(w.Finish());
  }
  s.group = r.String("GroupName").value_or(core::kDefaultScheduleGroup);
  s.kms_key_arn = r.String("KmsKeyArn").value_or("");
  s.expression = r.String("ScheduleExpression", true).value_or("");
  s.timezone = r.String("ScheduleExpressionTimezone").value_or("UTC");
  if (std::optional<std::string> state = r.String("State")) {
    Result<core::ScheduleState> parsed = core::ParseScheduleState(*state);
    if (parsed.ok()) s.state = *parsed;
    else r.Fail(parsed.status());
  } else {
    s.state = core::ScheduleState::kEnabled;
  }
  if (std::optional<std::string> action = r.String("ActionAfterCompletion")) {
    Result<core::AfterCompletion> parsed = core::ParseAfterCompletion(*action);
    if (parsed.ok()) s.after_completion = *parsed;
    else r.Fail(parsed.status());
  } else {
    s.after_completion = core::AfterCompletion::kNone;
  }
  r.Fail(ReadTarget(r, s.target));
  NS_RETURN_IF_ERROR(r.Finish());
  return ValidateScheduleTarget(engine_, s.target);
}

Result<Json> SchedulerApi::CreateSchedule(const std::string& name, const Json& body) {
  core::Schedule s;
  s.name = name;
  NS_RETURN_IF_ERROR(ReadSchedule(body, s));
  Result<core::Schedule> created = engine_.CreateSchedule(std::move(s));
  if (!created.ok()) return created.status();
  return Json{{"ScheduleArn", created->arn}};
}

Result<Json> SchedulerApi::UpdateSchedule(const std::string& name, const Json& body) {
  const std::string group = body.is_object() && body.contains("GroupName") && body["GroupName"].is_string()
                                ? body["GroupName"].get<std::string>()
                                : core::kDefaultScheduleGroup;
  const core::Schedule* existing = engine_.FindSchedule(group, name);
  if (!existing) {
    if (group != core::kDefaultScheduleGroup) return Status::NotFound("Schedule group " + group + " does not exist.");
    return Status::NotFound("Schedule " + name + " does not exist.");
  }
  core::Schedule s = *existing;  // nightshift's own policies are kept
  NS_RETURN_IF_ERROR(ReadSchedule(body, s));
  Result<core::Schedule> updated = engine_.UpdateSchedule(std::move(s));
  if (!updated.ok()) return updated.status();
  return Json{{"ScheduleArn", updated->arn}};
}

Result<Json> SchedulerApi::GetSchedule(const std::string& name, const HttpRequest& request) {
  Result<std::string> group = GroupOf(request, "groupName");
  if (!group.ok()) return group.status();
  const core::Schedule* s = engine_.FindSchedule(*group, name);
  if (!s) return Status::NotFound("Schedule " + name + " does not exist.");
  return ScheduleJson(*s);
}

Result<Json> SchedulerApi::DeleteSchedule(const std::string& name, const HttpRequest& request) {
  Result<std::string> group = GroupOf(request, "groupName");
  if (!group.ok()) return group.status();
  NS_RETURN_IF_ERROR(engine_.DeleteSchedule(*group, name));
  return Json::object();
}

Result<Json> SchedulerApi::ListSchedules(const HttpRequest& request) {
  constexpr int kMaxPage = 100;
  std::string group = QueryValue(request, "ScheduleGroup");
  const std::string prefix = QueryValue(request, "NamePrefix");
  const std::string state = QueryValue(request, "State");
  const std::string token = QueryValue(request, "NextToken");
  int limit = kMaxPage;
  if (std::string max = QueryValue(request, "MaxResults"); !max.empty()) {
    char* end = nullptr;
    const long value = std::strtol(max.c_str(), &end, 10);
    if (*end != '\0' || value < 1 || value > kMaxPage) {
      return Status::InvalidArgument("MaxResults must be an integer between 1 and 100");
    }
    limit = static_cast<int>(value);
  }
  if (!state.empty() && !core::ParseScheduleState(state).ok()) return core::ParseScheduleState(state).status();
  if (!group.empty() && !core::IsKnownScheduleGroup(group)) return Json{{"Schedules", Json::array()}};
  Json list = Json::array();
  std::string next;
  // Schedules() is ordered by key; the token is the key of the last schedule returned.
  for (const core::Schedule* s : engine_.Schedules()) {
    const std::string key = core::ScheduleKey(*s);
    if (!token.empty() && key <= token) continue;
    if (!group.empty() && s->group != group) continue;
    if (!prefix.empty() && s->name.rfind(prefix, 0) != 0) continue;
    if (!state.empty() && core::Name(s->state) != state) continue;
    if (static_cast<int>(list.size()) == limit) {
      next = core::ScheduleKey(list.back()["GroupName"].get<std::string>(), list.back()["Name"].get<std::string>());
      break;
    }
    list.push_back(Json{{"Arn", s->arn},
                        {"CreationDate", Seconds(s->created_at)},
                        {"GroupName", s->group},
                        {"LastModificationDate", Seconds(s->modified_at)},
                        {"Name", s->name},
                        {"State", std::string(core::Name(s->state))},
                        {"Target", {{"Arn", s->target.arn}}}});
  }
  Json out{{"Schedules", list}};
  if (!next.empty()) out["NextToken"] = next;
  return out;
}

Json SchedulerApi::GroupJson(const std::string& name) const {
  const double epoch = 0;  // the built-in groups exist since the store does
  const events::EventOrigin origin{engine_.region(), engine_.account()};
  return Json{{"Arn", events::Arn(origin, "scheduler", "schedule-group", name)},
              {"CreationDate", epoch},
              {"LastModificationDate", epoch},
              {"Name", name},
              {"State", "ACTIVE"}};
}

Result<Json> SchedulerApi::ScheduleGroups(const std::string& name, const HttpRequest& request) {
  if (request.method == "GET" && name.empty()) {
    const std::string prefix = QueryValue(request, "NamePrefix");
    Json list = Json::array();
    for (const char* group : {core::kDefaultScheduleGroup, core::kPipelineScheduleGroup}) {
      if (std::string(group).rfind(prefix, 0) == 0) list.push_back(GroupJson(group));
    }
    return Json{{"ScheduleGroups", list}};
  }
  if (request.method == "GET") {
    if (!core::IsKnownScheduleGroup(name)) return Status::NotFound("Schedule group " + name + " does not exist.");
    return GroupJson(name);
  }
  return Status::InvalidArgument("nightshift has two built-in schedule groups, default and pipelines; schedule group " +
                                 name + " cannot be created or deleted");
}

}  // namespace nightshift::api
