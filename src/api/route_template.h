// The route template of a request — the route it is for, with its variable parts named, such as
// "/api/v1/runs/{id}/cancel" or "POST /" for CloudWatch Logs' "Logs_20140328.GetLogEvents" — so
// that per-route metrics have a small, fixed set of label values whatever the request held.
// Pure. Thread-safety: pure function.
#pragma once

#include <string>

#include "api/http_types.h"

namespace nightshift::api {

// "other" for a path no route could serve.
std::string RouteTemplate(const HttpRequest& request);

}  // namespace nightshift::api
