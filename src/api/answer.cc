#include "api/answer.h"

#include <utility>

namespace nightshift::api {

void Answer(engine::Engine& engine, AwsService service, Result<std::string> body, bool mutates,
            const Respond& respond) {
  if (!body.ok()) {
    respond(ErrorResponse(service, body.status()));
    return;
  }
  HttpResponse ok;
  ok.body = std::move(*body);
  if (!mutates) {
    respond(std::move(ok));
    return;
  }
  engine.WhenDurable([service, respond, ok = std::move(ok)](Status st) mutable {
    respond(st.ok() ? std::move(ok) : ErrorResponse(service, st));
  });
}

}  // namespace nightshift::api
