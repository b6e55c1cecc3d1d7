// The route template of a request to an AWS-compatible route — the route it is for, with its
// variable parts named, such as "/v1/tags/{resourceArn}" or "/ Logs_20140328.GetLogEvents" for
// CloudWatch Logs — so that per-route metrics have a small, fixed set of label values whatever
// the request held. The native routes' templates are their declarations (Router::RouteLabel).
// Pure. Thread-safety: pure function.
#pragma once

#include <string>

#include "api/http_types.h"

namespace nightshift::api {

// "other" for a path no route could serve.
std::string RouteTemplate(const HttpRequest& request);

}  // namespace nightshift::api
