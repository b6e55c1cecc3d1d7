#include "api/route.h"

#include <gtest/gtest.h>

namespace nightshift::api {
namespace {

TEST(RouteTest, APathFitsATemplateSegmentBySegmentAndNamesItsPlaceholders) {
  std::optional<PathParams> params =
      MatchPath("/api/v1/runs/{id}/cancel", "/api/v1/runs/r-1/cancel");
  ASSERT_TRUE(params);
  EXPECT_EQ(*params, (PathParams{{"id", "r-1"}}));
  params = MatchPath("/api/v1/schedules/{name}", "/api/v1/schedules/a%2Fb");
  ASSERT_TRUE(params);
  EXPECT_EQ(params->at("name"), "a/b");
  EXPECT_TRUE(MatchPath("/api/v1/pipelines", "/api/v1/pipelines/"));
  EXPECT_TRUE(MatchPath("/api/v1/pipelines/{name}/runs", "/api/v1/pipelines/etl/run%73"));
}

TEST(RouteTest, APathOfAnotherShapeDoesNotFit) {
  EXPECT_FALSE(MatchPath("/api/v1/runs/{id}", "/api/v1/runs"));
  EXPECT_FALSE(MatchPath("/api/v1/runs/{id}", "/api/v1/runs/a/b"));
  EXPECT_FALSE(MatchPath("/api/v1/runs/{id}/cancel", "/api/v1/runs/a/rerun"));
  EXPECT_FALSE(MatchPath("/api/v1/events", "/api/v1/eventsx"));
}

TEST(RouteTest, PlaceholdersAreListedInOrder) {
  EXPECT_EQ(PathPlaceholders("/a/{x}/b/{y}"), (std::vector<std::string>{"x", "y"}));
  EXPECT_TRUE(PathPlaceholders("/metrics").empty());
}

}  // namespace
}  // namespace nightshift::api
