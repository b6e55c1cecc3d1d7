// Route: the declaration of one native HTTP route — its method, its path template with
// {placeholders}, the role it demands, a summary, and what its query, request body and answer hold (JSON literals in
// OpenAPI's terms) — and the matching of a request path against a template. A route is served
// only through its declaration (route_table.h), and the OpenAPI document is built from the same
// declarations (openapi.h), so the two cannot drift apart.
// Thread-safety: plain values and pure functions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "api/http_types.h"

namespace nightshift::api {

struct RouteSpec {
  std::string_view method;        // "GET", "POST", ...
  std::string_view path;          // "/api/v1/runs/{id}/cancel": fixed segments and {names}
  std::string_view operation_id;  // unique, camelCase: "cancelRun"
  // Who may call it (README, "Access control"); kUndeclared is refused by a unit test.
  auth::Access access = auth::Access::kUndeclared;
  std::string_view summary;       // one line
  // JSON array of OpenAPI parameter objects for the query (and headers); "in" defaults to
  // "query", and {"$ref": ...} items name shared ones. "" for none.
  std::string_view parameters = "";
  std::string_view request = "";   // JSON Schema of the request body; "" for none
  std::string_view response = "";  // JSON Schema of a successful answer; "" for a plain string
  std::string_view media_type = "application/json";  // of a successful answer
};

// The values of a path's {placeholders}, by name, percent-decoded.
using PathParams = std::map<std::string, std::string, std::less<>>;

// The placeholders' values if `path` fits `pattern` segment by segment (segments are compared
// decoded; empty segments are ignored, so "/a//b/" fits "/a/b"); nullopt if it does not.
std::optional<PathParams> MatchPath(std::string_view pattern, const std::string& path);

// The placeholders of `pattern` in order: "/a/{x}/b/{y}" -> {"x", "y"}.
std::vector<std::string> PathPlaceholders(std::string_view pattern);

// A request matched to a route.
struct RouteCall {
  const HttpRequest& request;
  PathParams params;

  // The placeholder's value; the route's template must have it.
  const std::string& Param(std::string_view name) const { return params.find(name)->second; }
};

}  // namespace nightshift::api
