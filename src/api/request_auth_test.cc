#include "api/request_auth.h"

#include <gtest/gtest.h>

namespace nightshift::api {
namespace {

HttpRequest Request(std::string method, std::string path, std::map<std::string, std::string> headers = {}) {
  HttpRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.headers = std::move(headers);
  return r;
}

TEST(RequestAuthTest, RoutesBelongToTheirAwsService) {
  EXPECT_EQ(AwsServiceOf(Request("POST", "/v1/submitjob")), AwsService::kBatch);
  EXPECT_EQ(AwsServiceOf(Request("GET", "/v1/tags/arn%3Ax")), AwsService::kBatch);
  EXPECT_EQ(AwsServiceOf(Request("GET", "/schedules")), AwsService::kScheduler);
  EXPECT_EQ(AwsServiceOf(Request("POST", "/schedules/s1")), AwsService::kScheduler);
  EXPECT_EQ(AwsServiceOf(Request("GET", "/schedule-groups/g")), AwsService::kScheduler);
  EXPECT_EQ(AwsServiceOf(Request("GET", "/tags/arn%3Ax")), AwsService::kScheduler);
  EXPECT_EQ(AwsServiceOf(Request("POST", "/", {{"x-amz-target", "Logs_20140328.GetLogEvents"}})), AwsService::kLogs);
  for (const char* open : {"/healthz", "/metrics", "/api/v1/runs", "/", "/schedulesx", "/v1"}) {
    EXPECT_EQ(AwsServiceOf(Request("GET", open)), std::nullopt) << open;
  }
}

TEST(RequestAuthTest, WithoutKeysEveryRequestIsAnonymous) {
  FakeClock clock;
  const auth::Authenticator authenticator(auth::KeyRing(), clock);
  HttpRequest r = Request("POST", "/v1/submitjob");
  EXPECT_EQ(Authenticate(authenticator, r), std::nullopt);
  ASSERT_TRUE(r.identity);
  EXPECT_TRUE(r.identity->anonymous());
}

class RequestAuthWithKeysTest : public ::testing::Test {
 protected:
  RequestAuthWithKeysTest() : authenticator_(Keys(), clock_) {}
  static auth::KeyRing Keys() {
    auth::KeyRing keys;
    EXPECT_TRUE(keys.Add({"AKID", "secret", auth::Role::kViewer, ""}).ok());
    return keys;
  }
  FakeClock clock_;
  const auth::Authenticator authenticator_;
};

TEST_F(RequestAuthWithKeysTest, UnsignedAwsRequestIsForbiddenInItsServicesErrorFormat) {
  HttpRequest batch = Request("POST", "/v1/describejobs");
  std::optional<HttpResponse> denied = Authenticate(authenticator_, batch);
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 403);
  EXPECT_EQ(denied->body,
            R"({"__type":"MissingAuthenticationTokenException","message":"Missing Authentication Token"})");
  EXPECT_FALSE(batch.identity);

  HttpRequest logs = Request("POST", "/", {{"x-amz-target", "Logs_20140328.GetLogEvents"},
                                           {"authorization", "AWS4-HMAC-SHA256 Credential=AKID"}});
  denied = Authenticate(authenticator_, logs);
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->content_type, "application/x-amz-json-1.1");
  EXPECT_NE(denied->body.find("IncompleteSignatureException"), std::string::npos);
}

TEST_F(RequestAuthWithKeysTest, NativeAndOpenRoutesStayOpen) {
  for (const char* path : {"/healthz", "/metrics", "/api/v1/pipelines"}) {
    HttpRequest r = Request("GET", path);
    EXPECT_EQ(Authenticate(authenticator_, r), std::nullopt) << path;
    ASSERT_TRUE(r.identity);
    EXPECT_TRUE(r.identity->anonymous());
  }
}

}  // namespace
}  // namespace nightshift::api
