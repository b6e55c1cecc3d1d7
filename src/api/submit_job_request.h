// SubmitJob's request members, read from JSON into the engine's request: shared by the Batch
// API's SubmitJob and by schedules whose target submits a job (their Input is the same members).
// Thread-safety: pure functions.
#pragma once

#include "api/json_reader.h"
#include "engine/requests.h"
#include "util/status.h"

namespace nightshift::api {

// Reads and checks the members of a SubmitJob request (camelCase, as on the wire). Unknown or
// unsupported members are an InvalidArgument naming them.
Result<engine::SubmitJobRequest> ReadSubmitJobRequest(const Json& body);

}  // namespace nightshift::api
