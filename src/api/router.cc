#include "api/router.h"

#include "api/audit.h"
#include "api/aws_error.h"
#include "api/openapi.h"
#include "api/request_auth.h"
#include "api/route_template.h"
#include "api/schedule_target.h"
#include "engine/engine_metrics.h"
#include "metrics/prometheus_text.h"

namespace nightshift::api {

namespace {

// Whose bucket a request takes from: its access key or token, else (anonymous, or refused) its
// address, so that bad signatures cannot be sent faster than good ones.
std::string RateLimitClient(const HttpRequest& request) {
  if (request.identity && !request.identity->anonymous()) return "who:" + request.identity->Actor();
  return "addr:" + request.remote_address;
}

}  // namespace

Router::Router(engine::Engine& engine, boost::asio::io_context& io, const auth::Authenticator& authenticator)
    : engine_(engine),
      authenticator_(authenticator),
      batch_(engine),
      logs_(engine),
      scheduler_(engine),
      schedules_(engine),
      pipelines_(engine),
      why_(engine),
      job_logs_(engine, io),
      events_(engine),
      webhooks_(engine),
      access_(engine),
      overview_(engine, authenticator),
      openapi_(OpenApiDocument(native_routes_, NIGHTSHIFT_VERSION)) {
  engine.SetScheduleTargetStarter(SubmitJobTargetStarter(engine));
}

void Router::Handle(HttpRequest request, const Respond& respond) {
  const int64_t started_us = engine_.NowUs();
  Respond timed = [this, respond, started_us, method = request.method,
                   route = RouteLabel(request)](HttpResponse r) {
    engine_.metrics().OnRequest(method, route, r.status, engine_.NowUs() - started_us);
    respond(std::move(r));
  };
  const RequestAction action = ActionOf(request, native_routes_);
  std::optional<Refusal> refused = Admit(authenticator_, action, request);
  // Throttled before anything else is done for it, refused or not (not audited: a flood of
  // throttled calls must not become a flood of writes).
  if (limiter_ && !limiter_->Allow(RateLimitClient(request))) {
    return timed(ThrottlingResponse(AwsServiceOf(request).value_or(AwsService::kBatch)));
  }
  if (refused) {
    engine_.RecordAudit(RefusalAudit(action, request, *refused));
    return timed(std::move(refused->response));
  }
  if (request.identity->kind == auth::CredentialKind::kToken) engine_.NoteTokenUse(request.identity->id);
  if (!action.mutates) return Dispatch(request, timed);
  // Refused before anything changes when the store cannot take it (a full disk); not audited,
  // since the record could not be stored either.
  if (Status writable = engine_.WritesAccepted(); !writable.ok()) {
    return timed(ErrorResponse(AwsServiceOf(request).value_or(AwsService::kBatch), writable));
  }
  // Recorded when answered: a change is answered once committed, and its record rides in the
  // next turn's commit, with the changes of the calls that follow it.
  Dispatch(request, [this, timed, draft = DraftAudit(action, request)](HttpResponse r) mutable {
    engine_.RecordAudit(CompleteAudit(std::move(draft), r));
    timed(std::move(r));
  });
}

std::span<const Route<Router>> Router::Routes() {
  static constexpr Route<Router> kRoutes[] = {
      {.spec = {.method = "GET",
                .path = "/metrics",
                .operation_id = "getMetrics",
                .access = auth::Access::kViewer,
                .summary = "Metrics in the Prometheus text format 0.0.4",
                .media_type = metrics::kTextContentType},
       .raw = &Router::Metrics},
      {.spec = {.method = "GET",
                .path = "/healthz",
                .operation_id = "getHealth",
                .access = auth::Access::kPublic,
                .summary = "Whether the server is up",
                .response = R"({"type": "object", "required": ["status"], "properties": {
            "status": {"type": "string", "enum": ["ok"]}}})"},
       .raw = &Router::Health},
      {.spec = {.method = "GET",
                .path = "/api/v1/openapi.json",
                .operation_id = "getOpenApi",
                .access = auth::Access::kPublic,
                .summary = "This document: the native API in OpenAPI 3.0",
                .response = R"({"type": "object", "required": ["openapi", "info", "paths"]})"},
       .raw = &Router::OpenApi},
  };
  return kRoutes;
}

std::vector<RouteSpec> Router::NativeRoutes() {
  std::vector<RouteSpec> all;
  for (const std::vector<RouteSpec>& specs :
       {SpecsOf(Routes()), SpecsOf(SchedulesApi::Routes()), SpecsOf(PipelinesApi::Routes()),
        SpecsOf(WhyApi::Routes()), SpecsOf(JobLogsApi::Routes()), SpecsOf(EventsApi::Routes()),
        SpecsOf(WebhooksApi::Routes()), SpecsOf(AccessApi::Routes()), SpecsOf(OverviewApi::Routes())}) {
    all.insert(all.end(), specs.begin(), specs.end());
  }
  return all;
}

void Router::Dispatch(const HttpRequest& request, const Respond& respond) {
  if (IsUiRequest(request)) return respond(ui_.Serve(request));
  if (Serve(*this, Routes(), {engine_, AwsService::kBatch}, request, respond)) return;
  if (logs_.Handle(request, respond)) return;
  if (batch_.Handle(request, respond)) return;
  if (scheduler_.Handle(request, respond)) return;
  if (schedules_.Handle(request, respond)) return;
  if (pipelines_.Handle(request, respond)) return;
  if (why_.Handle(request, respond)) return;
  if (job_logs_.Handle(request, respond)) return;
  if (events_.Handle(request, respond)) return;
  if (webhooks_.Handle(request, respond)) return;
  if (access_.Handle(request, respond)) return;
  if (overview_.Handle(request, respond)) return;
  respond(NoRoute(request));
}

void Router::Metrics(const RouteCall& call, const Respond& respond) {
  HttpResponse text;
  text.content_type = metrics::kTextContentType;
  engine_.RefreshStoreMetrics();
  text.body = metrics::RenderText(engine_.metrics().registry());
  respond(std::move(text));
}

void Router::Health(const RouteCall& call, const Respond& respond) {
  HttpResponse ok;
  ok.body = R"({"status":"ok"})";
  respond(std::move(ok));
}

void Router::OpenApi(const RouteCall& call, const Respond& respond) {
  if (!openapi_.ok()) return respond(ErrorResponse(AwsService::kBatch, openapi_.status()));
  HttpResponse document;
  document.body = openapi_->dump();
  respond(std::move(document));
}

std::string Router::RouteLabel(const HttpRequest& request) const {
  if (IsUiRequest(request)) return "/ui";  // one label for every file and client route
  // AWS's operations are served by their own tables, never by a native route (ActionOf).
  if (AwsServiceOf(request)) return RouteTemplate(request);
  for (const RouteSpec& route : native_routes_) {
    if (MatchPath(route.path, request.path)) return std::string(route.path);
  }
  return RouteTemplate(request);
}

HttpResponse Router::NoRoute(const HttpRequest& request) const {
  std::string allowed;
  for (const RouteSpec& route : native_routes_) {
    if (!MatchPath(route.path, request.path)) continue;
    allowed += (allowed.empty() ? "" : ", ") + std::string(route.method);
  }
  const std::string what = request.method + " " + request.path;
  if (allowed.empty()) {
    return ErrorResponse(AwsService::kBatch, 404, "NotFoundException", "no route for " + what);
  }
  HttpResponse r = ErrorResponse(AwsService::kBatch, 405, "MethodNotAllowedException",
                                 what + ": the method is not allowed (allowed: " + allowed + ")");
  r.headers.emplace_back("Allow", allowed);
  return r;
}

}  // namespace nightshift::api
