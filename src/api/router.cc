#include "api/router.h"

#include "api/aws_error.h"

namespace nightshift::api {

void Router::Handle(const HttpRequest& request, const Respond& respond) {
  if (request.path == "/healthz") {
    HttpResponse ok;
    ok.body = R"({"status":"ok"})";
    respond(std::move(ok));
    return;
  }
  if (logs_.Handle(request, respond)) return;
  if (batch_.Handle(request, respond)) return;
  respond(ErrorResponse(AwsService::kBatch, 404, "NotFoundException", "no route for " + request.method + " " + request.path));
}

}  // namespace nightshift::api
