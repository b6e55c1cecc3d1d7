// OpenApiDocument: the OpenAPI 3.0 document of nightshift's native routes (GET
// /api/v1/openapi.json), built from the routes' declarations (route.h) and the shared component
// schemas (openapi_components.h). The AWS-compatible routes are AWS's own APIs: the document
// only points to AWS's documentation for them.
// Pure. Thread-safety: pure function.
#pragma once

#include <span>
#include <string_view>

#include "api/json_reader.h"
#include "api/route.h"
#include "util/status.h"

namespace nightshift::api {

// One path item per distinct path, one operation per route. Internal if a route's JSON literal
// does not parse (the message names the route); routes must have distinct methods and paths.
Result<Json> OpenApiDocument(std::span<const RouteSpec> routes, std::string_view version);

}  // namespace nightshift::api
