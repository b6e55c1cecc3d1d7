// How every AWS-style route answers: an error as its service names it, or the JSON body — for a
// mutation only once the change is committed and flushed, so an acknowledged change survives a
// crash.
// Thread-safety: runs on the engine's loop thread.
#pragma once

#include <string>

#include "api/aws_error.h"
#include "api/http_types.h"
#include "engine/engine.h"
#include "util/status.h"

namespace nightshift::api {

void Answer(engine::Engine& engine, AwsService service, Result<std::string> body, bool mutates,
            const Respond& respond);

}  // namespace nightshift::api
