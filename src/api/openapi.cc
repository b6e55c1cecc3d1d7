#include "api/openapi.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "api/openapi_components.h"

namespace nightshift::api {
namespace {

constexpr char kDescription[] =
    "nightshift's native API: pipelines, runs, schedules with their policies, why a job waits, "
    "job logs, events, webhooks, metrics. Errors are AWS-style: {\"__type\", \"message\"}, and an "
    "x-nightshift-status header.\n\n"
    "The same server also speaks three AWS APIs, described by AWS rather than here: AWS Batch "
    "(rest-json, POST /v1/<operation>; "
    "https://docs.aws.amazon.com/batch/latest/APIReference/), EventBridge Scheduler (rest-json, "
    "/schedules/{Name}, /schedule-groups; "
    "https://docs.aws.amazon.com/scheduler/latest/APIReference/) and CloudWatch Logs "
    "GetLogEvents (JSON 1.1, POST / with X-Amz-Target; "
    "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/). Point the aws CLI "
    "or an SDK at the server with --endpoint-url.";

Result<Json> ParseLiteral(std::string_view text, const RouteSpec& route, const char* what) {
  Json parsed = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return Status::Internal(std::string(route.method) + " " + std::string(route.path) + ": " +
                            what + " is not valid JSON");
  }
  return parsed;
}

Json ErrorAnswer() {
  return {
      {"description", "an error: {\"__type\", \"message\"}"},
      {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
}

Result<Json> Parameters(const RouteSpec& route) {
  Json parameters = Json::array();
  for (const std::string& name : PathPlaceholders(route.path)) {
    parameters.push_back(
        {{"name", name}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}});
  }
  if (route.parameters.empty()) return parameters;
  Result<Json> declared = ParseLiteral(route.parameters, route, "parameters");
  if (!declared.ok()) return declared.status();
  for (Json& p : *declared) {
    if (!p.contains("$ref") && !p.contains("in")) p["in"] = "query";
    parameters.push_back(std::move(p));
  }
  return parameters;
}

Result<Json> SuccessAnswer(const RouteSpec& route) {
  Json schema = {{"type", "string"}};
  if (!route.response.empty()) {
    Result<Json> declared = ParseLiteral(route.response, route, "response");
    if (!declared.ok()) return declared.status();
    schema = std::move(*declared);
  }
  return Json{{"description", route.summary},
              {"content", {{std::string(route.media_type), {{"schema", schema}}}}}};
}

// The first fixed segment after /api/v1 ("pipelines"), or "server" for /metrics and /healthz.
std::string Tag(std::string_view path) {
  const std::vector<std::string> parts = SplitPath(std::string(path));
  return parts.size() > 2 && parts[0] == "api" ? parts[2] : "server";
}

Result<Json> Operation(const RouteSpec& route) {
  Json op{{"operationId", route.operation_id},
          {"summary", route.summary},
          {"tags", Json::array({Tag(route.path)})}};
  Result<Json> parameters = Parameters(route);
  if (!parameters.ok()) return parameters.status();
  if (!parameters->empty()) op["parameters"] = std::move(*parameters);
  if (!route.request.empty()) {
    Result<Json> body = ParseLiteral(route.request, route, "request");
    if (!body.ok()) return body.status();
    op["requestBody"] = {{"required", false},
                         {"content", {{"application/json", {{"schema", std::move(*body)}}}}}};
  }
  Result<Json> answer = SuccessAnswer(route);
  if (!answer.ok()) return answer.status();
  op["responses"] = {{"200", std::move(*answer)}, {"default", ErrorAnswer()}};
  // The role it demands when authentication is on; a public route needs no token at all.
  op["x-nightshift-role"] = auth::AccessName(route.access);
  op["security"] = route.access == auth::Access::kPublic ? Json::array() : Json::array({{{"bearerToken", Json::array()}}});
  return op;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

Result<Json> OpenApiDocument(std::span<const RouteSpec> routes, std::string_view version) {
  Json components = Json::parse(OpenApiComponents(), nullptr, /*allow_exceptions=*/false);
  if (components.is_discarded()) return Status::Internal("the component schemas are not JSON");
  components["securitySchemes"] = {
      {"bearerToken",
       {{"type", "http"}, {"scheme", "bearer"},
        {"description", "An API token (nightshift token create), needed when the server has authentication on"}}}};
  Json paths = Json::object();
  for (const RouteSpec& route : routes) {
    Result<Json> op = Operation(route);
    if (!op.ok()) return op.status();
    paths[std::string(route.path)][Lower(route.method)] = std::move(*op);
  }
  return Json{
      {"openapi", "3.0.3"},
      {"info", {{"title", "nightshift"}, {"version", version}, {"description", kDescription}}},
      {"servers", Json::array({{{"url", "/"}, {"description", "this server"}}})},
      {"paths", std::move(paths)},
      {"components", std::move(components)}};
}

}  // namespace nightshift::api
