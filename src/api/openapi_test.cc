#include "api/openapi.h"

#include <gtest/gtest.h>

namespace nightshift::api {
namespace {

constexpr RouteSpec kCancel{.method = "POST",
                            .path = "/api/v1/runs/{id}/cancel",
                            .operation_id = "cancelRun",
                            .summary = "Cancel a run",
                            .parameters = R"([{"name": "why", "schema": {"type": "string"}}])",
                            .request = R"({"type": "object"})",
                            .response = R"({"$ref": "#/components/schemas/Run"})"};

TEST(OpenApiTest, EachRouteIsAnOperationWithItsParametersBodyAndAnswer) {
  const RouteSpec routes[] = {kCancel};
  Result<Json> doc = OpenApiDocument(routes, "1.2.3");
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  EXPECT_EQ((*doc)["info"]["version"], "1.2.3");
  const Json& op = (*doc)["paths"]["/api/v1/runs/{id}/cancel"]["post"];
  EXPECT_EQ(op["operationId"], "cancelRun");
  EXPECT_EQ(op["parameters"][0]["in"], "path");
  EXPECT_EQ(op["parameters"][0]["name"], "id");
  EXPECT_EQ(op["parameters"][1]["in"], "query");
  EXPECT_EQ(op["requestBody"]["content"]["application/json"]["schema"]["type"], "object");
  EXPECT_EQ(op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Run");
  EXPECT_EQ(op["responses"]["default"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Error");
  EXPECT_TRUE((*doc)["components"]["schemas"].contains("Run"));
}

TEST(OpenApiTest, ARouteWhoseSchemaIsNotJsonIsNamed) {
  RouteSpec broken = kCancel;
  broken.response = R"({"type": )";
  const RouteSpec routes[] = {broken};
  Result<Json> doc = OpenApiDocument(routes, "1");
  ASSERT_FALSE(doc.ok());
  EXPECT_NE(doc.status().message().find("POST /api/v1/runs/{id}/cancel: response"),
            std::string::npos);
}

}  // namespace
}  // namespace nightshift::api
