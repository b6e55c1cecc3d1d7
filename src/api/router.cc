#include "api/router.h"

#include "api/aws_error.h"
#include "api/request_auth.h"
#include "api/route_template.h"
#include "api/schedule_target.h"
#include "engine/engine_metrics.h"
#include "metrics/prometheus_text.h"

namespace nightshift::api {

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
      webhooks_(engine) {
  engine.SetScheduleTargetStarter(SubmitJobTargetStarter(engine));
}

void Router::Handle(HttpRequest request, const Respond& respond) {
  const int64_t started_us = engine_.NowUs();
  Respond timed = [this, respond, started_us, method = request.method, route = RouteTemplate(request)](HttpResponse r) {
    engine_.metrics().OnRequest(method, route, r.status, engine_.NowUs() - started_us);
    respond(std::move(r));
  };
  if (std::optional<HttpResponse> denied = Authenticate(authenticator_, request)) return timed(std::move(*denied));
  Dispatch(request, timed);
}

void Router::Dispatch(const HttpRequest& request, const Respond& respond) {
  if (request.path == "/metrics" && request.method == "GET") {
    HttpResponse text;
    text.content_type = metrics::kTextContentType;
    text.body = metrics::RenderText(engine_.metrics().registry());
    respond(std::move(text));
    return;
  }
  if (request.path == "/healthz") {
    HttpResponse ok;
    ok.body = R"({"status":"ok"})";
    respond(std::move(ok));
    return;
  }
  if (logs_.Handle(request, respond)) return;
  if (batch_.Handle(request, respond)) return;
  if (scheduler_.Handle(request, respond)) return;
  if (schedules_.Handle(request, respond)) return;
  if (pipelines_.Handle(request, respond)) return;
  if (why_.Handle(request, respond)) return;
  if (job_logs_.Handle(request, respond)) return;
  if (events_.Handle(request, respond)) return;
  if (webhooks_.Handle(request, respond)) return;
  respond(ErrorResponse(AwsService::kBatch, 404, "NotFoundException", "no route for " + request.method + " " + request.path));
}

}  // namespace nightshift::api
