#include "api/pipelines_api.h"

#include <cstdlib>

#include "api/answer.h"
#include "api/aws_error.h"
#include "api/json_text.h"

namespace nightshift::api {
namespace {

constexpr char kRunRef[] = R"({"$ref": "#/components/schemas/Run"})";
constexpr char kPageParameters[] =
    R"([{"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/next_token"}])";
constexpr int kMaxRunPage = 1000;
constexpr int kRecentRuns = 10;

Json OptionalTime(TimeMs t) { return t > 0 ? Json(schedule::FormatUtc(t)) : Json(nullptr); }

Json StepJson(const core::StepRun& step) {
  Json out{{"name", step.name},
           {"state", std::string(core::Name(step.state))},
           {"reason", step.reason},
           {"job_id", step.job_id.empty() ? Json(nullptr) : Json(step.job_id)},
           {"tries", step.tries},
           {"submitted_at", OptionalTime(step.submitted_at)},
           {"started_at", OptionalTime(step.started_at)},
           {"stopped_at", OptionalTime(step.stopped_at)},
           {"exit_code", step.exit_code ? Json(*step.exit_code) : Json(nullptr)}};
  if (step.started_at > 0 && step.stopped_at >= step.started_at) {
    out["duration_ms"] = step.stopped_at - step.started_at;
  }
  return out;
}

Result<int> LimitOf(const HttpRequest& request) {
  std::string limit = QueryValue(request, "limit");
  if (limit.empty()) return 100;
  char* end = nullptr;
  const long value = std::strtol(limit.c_str(), &end, 10);
  if (*end != '\0' || value < 1 || value > kMaxRunPage) {
    return Status::InvalidArgument("limit must be an integer between 1 and " + std::to_string(kMaxRunPage));
  }
  return static_cast<int>(value);
}

HttpResponse ProblemsResponse(const Status& status, const std::vector<pipeline::Problem>& problems) {
  HttpResponse r = ErrorResponse(AwsService::kScheduler, status);
  Json body = Json::parse(r.body);
  Json list = Json::array();
  for (const pipeline::Problem& p : problems) {
    list.push_back({{"line", p.pos.line}, {"column", p.pos.column}, {"message", p.message}});
  }
  body["problems"] = list;
  r.body = JsonText(body);
  return r;
}

}  // namespace

Json RunJson(const core::PipelineRun& run) {
  Json steps = Json::array();
  for (const core::StepRun& step : run.steps) steps.push_back(StepJson(step));
  return Json{{"id", run.id},
              {"pipeline", run.pipeline},
              {"version", run.version},
              {"state", std::string(core::Name(run.state))},
              {"reason", run.reason},
              {"trigger", run.trigger},
              {"logical_date", schedule::FormatUtc(run.logical_time)},
              {"params", run.params},
              {"created_at", schedule::FormatUtc(run.created_at)},
              {"stopped_at", OptionalTime(run.stopped_at)},
              {"tries", run.tries},
              {"steps", steps}};
}

std::span<const Route<PipelinesApi>> PipelinesApi::Routes() {
  static constexpr Route<PipelinesApi> kRoutes[] = {
      {.spec = {.method = "GET",
                .path = "/api/v1/pipelines",
                .operation_id = "listPipelines",
                .access = auth::Access::kViewer,
                .summary =
                    "The latest version of every pipeline, with its schedule and recent runs",
                .response = R"({"type": "object", "required": ["pipelines"], "properties": {
            "pipelines": {"type": "array", "items": {"$ref": "#/components/schemas/Pipeline"}}}})"},
       .json = &PipelinesApi::List},
      {.spec = {.method = "POST",
                .path = "/api/v1/pipelines",
                .operation_id = "applyPipeline",
                .access = auth::Access::kAdmin,
                .summary =
                    "Apply a pipeline file: a new version if it changed; 400 lists every problem",
                .request = R"({"type": "object", "required": ["source"], "properties": {
            "source": {"type": "string", "description": "the pipeline file's text, in YAML"},
            "base_dir": {"type": "string", "description": "where relative paths start"}}})",
                .response =
                    R"({"allOf": [{"$ref": "#/components/schemas/Pipeline"}, {"type": "object",
            "required": ["changed"], "properties": {"changed": {"type": "boolean"}}}]})"},
       .raw = &PipelinesApi::Apply},
      {.spec = {.method = "GET",
                .path = "/api/v1/pipelines/{name}",
                .operation_id = "getPipeline",
                .access = auth::Access::kViewer,
                .summary = "The latest version of a pipeline, with its source and steps",
                .response = R"({"$ref": "#/components/schemas/Pipeline"})"},
       .json = &PipelinesApi::Get},
      {.spec = {.method = "DELETE",
                .path = "/api/v1/pipelines/{name}",
                .operation_id = "deletePipeline",
                .access = auth::Access::kAdmin,
                .summary = "Delete a pipeline (its runs stay in the history)",
                .response = R"({"type": "object"})"},
       .json = &PipelinesApi::Delete},
      {.spec = {.method = "GET",
                .path = "/api/v1/pipelines/{name}/runs",
                .operation_id = "listRuns",
                .access = auth::Access::kViewer,
                .summary = "A pipeline's runs, newest first",
                .parameters = kPageParameters,
                .response = R"({"type": "object", "required": ["runs"], "properties": {
            "runs": {"type": "array", "items": {"$ref": "#/components/schemas/Run"}},
            "next_token": {"type": "string"}}})"},
       .json = &PipelinesApi::ListRuns},
      {.spec = {.method = "POST",
                .path = "/api/v1/pipelines/{name}/runs",
                .operation_id = "startRun",
                .access = auth::Access::kOperator,
                .summary = "Start a run of a pipeline",
                .request = R"({"type": "object", "properties": {
            "params": {"type": "object", "additionalProperties": {"type": "string"}},
            "logical_date": {"type": "string", "format": "date-time"}}})",
                .response = kRunRef},
       .json = &PipelinesApi::StartRun},
      {.spec = {.method = "GET",
                .path = "/api/v1/runs/{id}",
                .operation_id = "getRun",
                .access = auth::Access::kViewer,
                .summary = "A run with its steps",
                .response = kRunRef},
       .json = &PipelinesApi::GetRun},
      {.spec = {.method = "POST",
                .path = "/api/v1/runs/{id}/cancel",
                .operation_id = "cancelRun",
                .access = auth::Access::kOperator,
                .summary = "Cancel a run: its steps that have not ended",
                .request = R"({"type": "object", "properties": {"reason": {"type": "string"}}})",
                .response = kRunRef},
       .json = &PipelinesApi::CancelRun},
      {.spec = {.method = "POST",
                .path = "/api/v1/runs/{id}/rerun",
                .operation_id = "rerunRun",
                .access = auth::Access::kOperator,
                .summary = "Rerun a run from its failure: its failed and skipped steps",
                .request =
                    R"({"type": "object", "properties": {"from_failure": {"type": "boolean"}}})",
                .response = kRunRef},
       .json = &PipelinesApi::Rerun},
  };
  return kRoutes;
}

bool PipelinesApi::Handle(const HttpRequest& request, const Respond& respond) {
  return Serve(*this, Routes(), {engine_, AwsService::kScheduler}, request, respond);
}

void PipelinesApi::Apply(const RouteCall& call, const Respond& respond) {
  Result<Json> body = ParseBody(call.request.body);
  if (!body.ok()) return respond(ErrorResponse(AwsService::kScheduler, body.status()));
  JsonReader r(*body, "");
  const std::string source = r.String("source", true).value_or("");
  const std::string base_dir = r.String("base_dir").value_or("");
  if (Status st = r.Finish(); !st.ok()) return respond(ErrorResponse(AwsService::kScheduler, st));
  std::vector<pipeline::Problem> problems;
  Result<engine::Engine::AppliedPipeline> applied =
      engine_.ApplyPipeline(source, base_dir, &problems);
  if (!applied.ok() && !problems.empty()) {
    return respond(ProblemsResponse(applied.status(), problems));
  }
  Result<Json> result = applied.ok() ? PipelineJson(applied->version, false) : applied.status();
  if (result.ok()) (*result)["changed"] = applied->changed;
  AnswerJson({engine_, AwsService::kScheduler}, std::move(result), true, respond);
}

Result<Json> PipelinesApi::List(const RouteCall& call) {
  Json list = Json::array();
  for (const core::PipelineVersion* v : engine_.Pipelines()) {
    Result<Json> p = PipelineJson(*v, false);
    if (!p.ok()) return p.status();
    list.push_back(std::move(*p));
  }
  return Json{{"pipelines", list}};
}

Result<Json> PipelinesApi::Get(const RouteCall& call) {
  const std::string& name = call.Param("name");
  const core::PipelineVersion* version = engine_.FindPipeline(name);
  if (!version) return Status::NotFound("pipeline " + name + " does not exist");
  return PipelineJson(*version, true);
}

Result<Json> PipelinesApi::Delete(const RouteCall& call) {
  NS_RETURN_IF_ERROR(engine_.DeletePipeline(call.Param("name")));
  return Json::object();
}

Result<Json> PipelinesApi::ListRuns(const RouteCall& call) {
  const std::string& name = call.Param("name");
  if (!engine_.FindPipeline(name)) return Status::NotFound("pipeline " + name + " does not exist");
  store::RunQuery query;
  query.pipeline = name;
  query.page_token = QueryValue(call.request, "next_token");
  Result<int> limit = LimitOf(call.request);
  if (!limit.ok()) return limit.status();
  query.limit = *limit;
  Result<store::RunPage> page = engine_.ListRuns(query);
  if (!page.ok()) return page.status();
  Json runs = Json::array();
  for (const core::PipelineRun& run : page->runs) runs.push_back(RunJson(run));
  Json out{{"runs", runs}};
  if (!page->next_token.empty()) out["next_token"] = page->next_token;
  return out;
}

Result<Json> PipelinesApi::StartRun(const RouteCall& call) {
  Result<Json> body = ParseBody(call.request.body);
  if (!body.ok()) return body.status();
  JsonReader r(*body, "");
  engine::Engine::RunRequest run;
  run.pipeline = call.Param("name");
  run.params = r.StringMap("params").value_or(std::map<std::string, std::string>{});
  if (std::optional<std::string> date = r.String("logical_date")) {
    Result<TimeMs> t = schedule::ParseRfc3339(*date);
    if (!t.ok()) r.Fail(Status::InvalidArgument("logical_date: " + t.status().message()));
    else run.logical_time = *t;
  }
  NS_RETURN_IF_ERROR(r.Finish());
  Result<core::PipelineRun> started = engine_.StartRun(run);
  if (!started.ok()) return started.status();
  return RunJson(*started);
}

Result<Json> PipelinesApi::GetRun(const RouteCall& call) {
  const std::string& id = call.Param("id");
  Result<std::optional<core::PipelineRun>> run = engine_.GetRun(id);
  if (!run.ok()) return run.status();
  if (!*run) return Status::NotFound("run " + id + " does not exist");
  return RunJson(**run);
}

Result<Json> PipelinesApi::CancelRun(const RouteCall& call) {
  const std::string& id = call.Param("id");
  Result<Json> body = ParseBody(call.request.body);
  if (!body.ok()) return body.status();
  JsonReader r(*body, "");
  const std::string reason = r.String("reason").value_or("");
  NS_RETURN_IF_ERROR(r.Finish());
  NS_RETURN_IF_ERROR(engine_.CancelRun(id, reason));
  Result<std::optional<core::PipelineRun>> run = engine_.GetRun(id);
  if (!run.ok()) return run.status();
  return *run ? RunJson(**run) : Json::object();
}

Result<Json> PipelinesApi::Rerun(const RouteCall& call) {
  Result<Json> body = ParseBody(call.request.body);
  if (!body.ok()) return body.status();
  JsonReader r(*body, "");
  r.Accept("from_failure");  // the only kind of rerun
  NS_RETURN_IF_ERROR(r.Finish());
  Result<core::PipelineRun> run = engine_.RerunFromFailure(call.Param("id"));
  if (!run.ok()) return run.status();
  return RunJson(*run);
}

Result<Json> PipelinesApi::PipelineJson(const core::PipelineVersion& version, bool full) {
  const pipeline::PipelineSpec* spec = engine_.PipelineSpecOf(version.name, version.version);
  if (!spec) return Status::Internal("pipeline " + version.name + " no longer parses");
  Json out{{"name", version.name},
           {"version", version.version},
           {"description", spec->description},
           {"created_at", schedule::FormatUtc(version.created_at)},
           {"base_dir", version.base_dir},
           {"step_count", spec->steps.size()}};
  Json schedule = nullptr;
  if (const core::Schedule* s = engine_.FindSchedule(core::kPipelineScheduleGroup, version.name)) {
    const schedule::Zone zone = [&] {
      Result<schedule::Zone> z = schedule::Zone::Load(s->timezone);
      return z.ok() ? *z : schedule::Zone::Utc();
    }();
    std::optional<TimeMs> due = engine_.NextDue(*s);
    schedule = {{"expression", s->expression},
                {"timezone", s->timezone},
                {"state", std::string(core::Name(s->state))},
                {"next_due", due ? Json(schedule::FormatRfc3339(*due, zone)) : Json(nullptr)}};
  }
  out["schedule"] = schedule;
  store::RunQuery query;
  query.pipeline = version.name;
  query.limit = kRecentRuns;
  Result<store::RunPage> recent = engine_.ListRuns(query);
  if (!recent.ok()) return recent.status();
  Json runs = Json::array();
  for (const core::PipelineRun& run : recent->runs) {
    runs.push_back({{"id", run.id},
                    {"state", std::string(core::Name(run.state))},
                    {"logical_date", schedule::FormatUtc(run.logical_time)}});
  }
  out["recent_runs"] = runs;
  if (full) {
    out["source"] = version.source;
    Json steps = Json::array();
    for (const pipeline::StepSpec& step : spec->steps) {
      Json deps = Json::array();
      for (const pipeline::StepDependency& d : step.depends_on) {
        static constexpr const char* kConditions[] = {"success", "failure", "completion"};
        deps.push_back({{"step", d.step}, {"condition", kConditions[static_cast<int>(d.condition)]}});
      }
      steps.push_back({{"name", step.name},
                       {"command", step.command},
                       {"definition", step.definition},
                       {"image", step.image},
                       {"array", step.array_size},
                       {"depends_on", deps}});
    }
    out["steps"] = steps;
  }
  return out;
}

}  // namespace nightshift::api
