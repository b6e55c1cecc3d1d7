#include "api/router.h"

#include "api/aws_error.h"
#include "api/schedule_target.h"

namespace nightshift::api {

Router::Router(engine::Engine& engine, boost::asio::io_context& io)
    : batch_(engine),
      logs_(engine),
      scheduler_(engine),
      schedules_(engine),
      pipelines_(engine),
      why_(engine),
      job_logs_(engine, io) {
  engine.SetScheduleTargetStarter(SubmitJobTargetStarter(engine));
}

void Router::Handle(const HttpRequest& request, const Respond& respond) {
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
  respond(ErrorResponse(AwsService::kBatch, 404, "NotFoundException", "no route for " + request.method + " " + request.path));
}

}  // namespace nightshift::api
