#include "api/route_template.h"

#include <gtest/gtest.h>

namespace nightshift::api {
namespace {

std::string Route(std::string path, std::string target = "") {
  HttpRequest r;
  r.method = "GET";
  r.path = std::move(path);
  if (!target.empty()) r.headers["x-amz-target"] = target;
  return RouteTemplate(r);
}

TEST(RouteTemplateTest, NamesTheVariablePartsOfEachRoute) {
  EXPECT_EQ(Route("/v1/submitjob"), "/v1/submitjob");
  EXPECT_EQ(Route("/v1/tags/arn%3Aaws%3Abatch%3Ax"), "/v1/tags/{resourceArn}");
  EXPECT_EQ(Route("/schedules/nightly"), "/schedules/{Name}");
  EXPECT_EQ(Route("/", "Logs_20140328.GetLogEvents"), "/ Logs_20140328.GetLogEvents");
}

TEST(RouteTemplateTest, AnythingElseIsOther) {
  EXPECT_EQ(Route("/nope/x"), "other");
  EXPECT_EQ(Route("/api/v1/whatever/1"), "other");
  EXPECT_EQ(Route("/v1/a/b"), "other");
  EXPECT_EQ(Route("/", "bad target with spaces"), "other");
}

}  // namespace
}  // namespace nightshift::api
