// Audit records formed from calls: actor and role from the identity, the declared operation's
// name, the resource from where the operation names it (body, path, answer), the source address,
// the status and error type of the answer; refusals with the identity they claimed.
#include "api/audit.h"

#include <gtest/gtest.h>

#include "api/aws_error.h"
#include "api/router.h"

namespace nightshift::api {
namespace {

HttpRequest Call(std::string method, std::string path, std::string body = "") {
  HttpRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.body = std::move(body);
  r.remote_address = "10.0.0.7";
  r.identity = auth::Identity{auth::CredentialKind::kAccessKey, "AKIDOPS", auth::Role::kOperator};
  return r;
}

HttpResponse Ok(std::string body) {
  HttpResponse r;
  r.body = std::move(body);
  return r;
}

class AuditTest : public ::testing::Test {
 protected:
  auth::AuditRecord Record(const HttpRequest& request, const HttpResponse& answer) {
    return CompleteAudit(DraftAudit(ActionOf(request, routes_), request), answer);
  }
  const std::vector<RouteSpec> routes_ = Router::NativeRoutes();
};

TEST_F(AuditTest, SubmitJobNamesTheJobItMade) {
  const auth::AuditRecord r = Record(Call("POST", "/v1/submitjob", R"({"jobName": "n", "jobQueue": "q"})"),
                                     Ok(R"({"jobArn": "arn", "jobName": "n", "jobId": "4c9c-1"})"));
  EXPECT_EQ(r.actor, "AKIDOPS");
  EXPECT_EQ(r.role, "operator");
  EXPECT_EQ(r.operation, "batch:SubmitJob");
  EXPECT_EQ(r.resource, "4c9c-1");
  EXPECT_EQ(r.source, "10.0.0.7");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.error, "");
}

TEST_F(AuditTest, ResourcesComeFromTheBodyThePathOrTheNativeRoute) {
  EXPECT_EQ(Record(Call("POST", "/v1/deletejobqueue", R"({"jobQueue": "nightly"})"), Ok("{}")).resource, "nightly");
  EXPECT_EQ(Record(Call("DELETE", "/schedules/s%2F1"), Ok("{}")).resource, "s/1");
  EXPECT_EQ(Record(Call("POST", "/api/v1/runs/r-9/cancel"), Ok("{}")).resource, "r-9");
  EXPECT_EQ(Record(Call("POST", "/api/v1/tokens"), Ok(R"({"id": "00aa", "token": "nst_x"})")).resource, "00aa");
  EXPECT_EQ(Record(Call("POST", "/v1/canceljob", "not json"), Ok("{}")).resource, "");
}

TEST_F(AuditTest, OnlyATopLevelStringMemberNamesTheResource) {
  const HttpRequest submit = Call("POST", "/v1/submitjob", "{}");
  EXPECT_EQ(Record(submit, Ok(R"({"x": {"jobId": "nested"}, "jobId": "top"})")).resource, "top");
  EXPECT_EQ(Record(submit, Ok(R"({"x": [{"jobId": "nested"}]})")).resource, "");
  EXPECT_EQ(Record(submit, Ok(R"({"jobId": 7})")).resource, "");
  EXPECT_EQ(Record(submit, Ok(R"({"jobId": "a", "jobId": "b"})")).resource, "b");
  EXPECT_EQ(Record(submit, Ok(R"({"jobId": "a", )")).resource, "");
  EXPECT_EQ(Record(submit, Ok(R"(["jobId", "a"])")).resource, "");
}

// Answers written without spaces, as nightshift writes them, are read in one pass unless they
// hold what only the parser reads right; either way the resource is the same.
TEST_F(AuditTest, ACompactAnswerNamesTheSameResource) {
  const HttpRequest submit = Call("POST", "/v1/submitjob", "{}");
  const std::pair<std::string, std::string> cases[] = {
      {R"({"jobArn":"arn","jobName":"n","jobId":"4c9c-1"})", "4c9c-1"},
      {R"({"jobId":"a","jobId":"b"})", "b"},
      {R"({"jobId":"x}"})", "x}"},
      {R"({"jobId":"a\"b"})", "a\"b"},
      {"{\"jobId\":\"\xC3\xA9\"}", "\xC3\xA9"},
      {R"({"x":{"jobId":"nested"},"jobId":"top"})", "top"},
      {R"({"jobName":"n"})", ""},
      {R"({})", ""},
      {R"({"jobId":"a",})", ""},
      {R"({"jobId":"a"}})", ""},
      {R"({"jobId":"a"x})", ""},
      {R"({"jobId":})", ""},
      {R"({"jobId":"a")", ""},
  };
  for (const auto& [answer, resource] : cases) {
    EXPECT_EQ(Record(submit, Ok(answer)).resource, resource) << answer;
  }
}

TEST_F(AuditTest, AFailedCallKeepsItsStatusAndErrorType) {
  const HttpResponse error = ErrorResponse(AwsService::kBatch, Status::NotFound("job x does not exist"));
  const auth::AuditRecord r = Record(Call("POST", "/v1/terminatejob", R"({"jobId": "x"})"), error);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.error, "ClientException");
  EXPECT_EQ(r.resource, "x");
}

TEST_F(AuditTest, ARefusalIsRecordedAsWhoItClaimedToBe) {
  HttpRequest request = Call("POST", "/v1/createjobqueue", R"({"jobQueueName": "big"})");
  request.identity.reset();
  const Refusal refusal{ErrorResponse(AwsService::kBatch, 403, "AccessDeniedException", "no"), "AKIDVIEW", "viewer"};
  const auth::AuditRecord r = RefusalAudit(ActionOf(request, routes_), request, refusal);
  EXPECT_EQ(r.actor, "AKIDVIEW");
  EXPECT_EQ(r.role, "viewer");
  EXPECT_EQ(r.operation, "batch:CreateJobQueue");
  EXPECT_EQ(r.resource, "big");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.error, "AccessDeniedException");
}

}  // namespace
}  // namespace nightshift::api
