// The router against the native routes' declarations, on a real engine (fake executor and
// clock): every declared route is served, the OpenAPI document describes exactly the declared
// routes, and a path or method not declared gets the router's own 404 or 405.
#include "api/router.h"

#include <gtest/gtest.h>

#include <set>
#include <utility>  // Boost 1.74's asio needs std::exchange declared first under GCC 12.

#include "engine/engine_test_fixture.h"

namespace nightshift::api {
namespace {

using MethodAndPath = std::pair<std::string, std::string>;

// "/api/v1/runs/{id}/cancel" -> "/api/v1/runs/x/cancel".
std::string FillPlaceholders(std::string_view pattern) {
  std::string path;
  for (const std::string& segment : SplitPath(std::string(pattern))) {
    path += "/" + (segment.front() == '{' ? std::string("x") : segment);
  }
  return path;
}

bool IsRoutersNoRoute(const HttpResponse& r) {
  for (const auto& [name, value] : r.headers) {
    if (name == "x-amzn-ErrorType") {
      return value == "NotFoundException" || value == "MethodNotAllowedException";
    }
  }
  return false;
}

class RouterTest : public engine::EngineTest {
 protected:
  auth::TokenRing tokens_;
  auth::Authenticator open_{auth::KeyRing{}, tokens_, /*enabled=*/false, clock_};  // every route open

  HttpResponse Send(Router& router, std::string method, std::string path) {
    HttpRequest request;
    request.method = std::move(method);
    request.path = std::move(path);
    request.body = "{}";
    std::optional<HttpResponse> answer;
    router.Handle(request, [&](HttpResponse r) { answer = std::move(r); });
    EXPECT_TRUE(RunUntil([&] { return answer.has_value(); }))
        << request.method << " " << request.path;
    return answer.value_or(HttpResponse{});
  }
};

TEST_F(RouterTest, EveryDeclaredRouteIsServed) {
  Router router(*engine_, *io_, open_);
  for (const RouteSpec& route : Router::NativeRoutes()) {
    const HttpResponse r = Send(router, std::string(route.method), FillPlaceholders(route.path));
    EXPECT_FALSE(IsRoutersNoRoute(r)) << route.method << " " << route.path << ": " << r.body;
  }
}

TEST_F(RouterTest, TheServedDocumentDescribesExactlyTheDeclaredRoutes) {
  Router router(*engine_, *io_, open_);
  const HttpResponse r = Send(router, "GET", "/api/v1/openapi.json");
  ASSERT_EQ(r.status, 200) << r.body;
  const Json doc = Json::parse(r.body);
  std::set<MethodAndPath> documented;
  std::set<std::string> operation_ids;
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.emplace(upper, path);
      operation_ids.insert(op["operationId"].get<std::string>());
    }
  }
  std::set<MethodAndPath> declared;
  const std::vector<RouteSpec> routes = Router::NativeRoutes();
  for (const RouteSpec& route : routes) declared.emplace(route.method, route.path);
  EXPECT_EQ(documented, declared);
  EXPECT_EQ(declared.size(), routes.size()) << "a route is declared twice";
  EXPECT_EQ(operation_ids.size(), routes.size()) << "an operationId is used twice";
  EXPECT_TRUE(declared.count({"GET", "/api/v1/openapi.json"}));
}

TEST_F(RouterTest, APathNotDeclaredGetsTheRoutersNotFound) {
  Router router(*engine_, *io_, open_);
  for (const MethodAndPath& request :
       std::vector<MethodAndPath>{{"GET", "/api/v1/nonsense"},
                                  {"POST", "/api/v1/runs/x/explode"},
                                  {"GET", "/api/v1/jobs/x/whatever"},
                                  {"GET", "/api/v1/pipelines/x/runs/y"}}) {
    const HttpResponse r = Send(router, request.first, request.second);
    EXPECT_EQ(r.status, 404) << request.second;
    EXPECT_TRUE(IsRoutersNoRoute(r)) << request.second << ": " << r.body;
  }
}

TEST_F(RouterTest, ADeclaredPathWithAnotherMethodGetsTheRoutersMethodNotAllowed) {
  Router router(*engine_, *io_, open_);
  const HttpResponse r = Send(router, "DELETE", "/api/v1/runs/x");
  EXPECT_EQ(r.status, 405) << r.body;
  EXPECT_TRUE(IsRoutersNoRoute(r)) << r.body;
  EXPECT_NE(std::find(r.headers.begin(), r.headers.end(),
                      std::make_pair(std::string("Allow"), std::string("GET"))),
            r.headers.end());
  EXPECT_EQ(Send(router, "PUT", "/api/v1/events").status, 405);
  EXPECT_EQ(Send(router, "POST", "/api/v1/jobs/x/why").status, 405);
  EXPECT_EQ(Send(router, "PATCH", "/api/v1/schedules/x").status, 405);
}

TEST_F(RouterTest, MetricsLabelANativeRouteWithItsDeclaredTemplate) {
  Router router(*engine_, *io_, open_);
  auto label = [&](std::string path) {
    HttpRequest request;
    request.method = "GET";
    request.path = std::move(path);
    return router.RouteLabel(request);
  };
  EXPECT_EQ(label("/api/v1/runs/4c9c-11/cancel"), "/api/v1/runs/{id}/cancel");
  EXPECT_EQ(label("/api/v1/jobs/j-1:3/why"), "/api/v1/jobs/{id}/why");
  EXPECT_EQ(label("/api/v1/webhooks/abc/deliveries"), "/api/v1/webhooks/{id}/deliveries");
  EXPECT_EQ(label("/metrics"), "/metrics");
  EXPECT_EQ(label("/api/v1/nonsense/1"), "other");
  EXPECT_EQ(label("/v1/submitjob"), "/v1/submitjob");
  EXPECT_EQ(label("/v1/tags/arn:aws:batch:us-east-1:1:job/x"), "/v1/tags/{resourceArn}");
  EXPECT_EQ(label("/schedules/nightly"), "/schedules/{Name}");
}

}  // namespace
}  // namespace nightshift::api
