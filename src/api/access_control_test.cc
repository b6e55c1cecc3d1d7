// Access control at the router's door: which service and operation a request is for, that every
// native route and every AWS operation served declares the role it demands (so none is
// forgotten), and the answers to refused requests on AWS and native routes.
#include <gtest/gtest.h>

#include "api/batch_api.h"
#include "api/request_auth.h"
#include "api/router.h"

namespace nightshift::api {
namespace {

HttpRequest Request(std::string method, std::string path, std::map<std::string, std::string> headers = {}) {
  HttpRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.headers = std::move(headers);
  return r;
}

std::string HeaderOf(const HttpResponse& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "";
}

int Rank(auth::Access access) { return static_cast<int>(access); }

TEST(AccessControlTest, RoutesBelongToTheirAwsService) {
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

TEST(AccessControlTest, EveryNativeRouteDeclaresWhoMayCallIt) {
  for (const RouteSpec& route : Router::NativeRoutes()) {
    EXPECT_NE(route.access, auth::Access::kUndeclared) << route.method << " " << route.path;
    if (route.method != "GET") {
      EXPECT_GE(Rank(route.access), Rank(auth::Access::kOperator)) << route.method << " " << route.path;
    }
  }
}

TEST(AccessControlTest, EveryAwsOperationDeclaresWhoMayCallItAndViewersChangeNothing) {
  for (const AwsOperation& op : AwsOperations()) {
    EXPECT_NE(op.access, auth::Access::kUndeclared) << QualifiedName(op);
    EXPECT_NE(op.access, auth::Access::kPublic) << QualifiedName(op);
    if (op.mutates) {
      EXPECT_GE(Rank(op.access), Rank(auth::Access::kOperator)) << QualifiedName(op);
    }
    if (op.resource_from == ResourceFrom::kBody || op.resource_from == ResourceFrom::kAnswer) {
      EXPECT_FALSE(op.resource_member.empty()) << QualifiedName(op);
    }
  }
}

TEST(AccessControlTest, EveryBatchOperationServedIsInTheTable) {
  const std::vector<std::string> names = BatchApi::OperationNames();
  ASSERT_EQ(names.size(), 16u);
  for (const std::string& name : names) {
    const AwsOperation* op = FindAwsOperation(Request("POST", "/v1/" + name), AwsService::kBatch);
    ASSERT_NE(op, nullptr) << name;
    EXPECT_EQ(op->service, AwsService::kBatch);
  }
  EXPECT_EQ(FindAwsOperation(Request("POST", "/v1/SubmitJob"), AwsService::kBatch)->name, "SubmitJob");
  EXPECT_EQ(FindAwsOperation(Request("GET", "/v1/submitjob"), AwsService::kBatch), nullptr);
  EXPECT_EQ(FindAwsOperation(Request("POST", "/v1/nosuchoperation"), AwsService::kBatch), nullptr);
}

TEST(AccessControlTest, SchedulerTagsAndLogsOperationsAreFound) {
  const std::pair<HttpRequest, std::string> cases[] = {
      {Request("GET", "/schedules"), "scheduler:ListSchedules"},
      {Request("GET", "/schedules/s1"), "scheduler:GetSchedule"},
      {Request("POST", "/schedules/s1"), "scheduler:CreateSchedule"},
      {Request("PUT", "/schedules/s1"), "scheduler:UpdateSchedule"},
      {Request("DELETE", "/schedules/s1"), "scheduler:DeleteSchedule"},
      {Request("GET", "/schedule-groups"), "scheduler:ListScheduleGroups"},
      {Request("GET", "/schedule-groups/default"), "scheduler:GetScheduleGroup"},
      {Request("POST", "/schedule-groups/g"), "scheduler:CreateScheduleGroup"},
      {Request("DELETE", "/tags/arn%3Aaws%3Ascheduler%3A%3Ax%2Fy"), "scheduler:UntagResource"},
      {Request("POST", "/v1/tags/arn%3Aaws%3Abatch%3Ax%2Fq1"), "batch:TagResource"},
      {Request("GET", "/v1/tags/arn%3Aaws%3Abatch%3Ax%2Fq1"), "batch:ListTagsForResource"},
      {Request("POST", "/", {{"x-amz-target", "Logs_20140328.GetLogEvents"}}), "logs:GetLogEvents"},
  };
  for (const auto& [request, name] : cases) {
    const RequestAction action = ActionOf(request, {});
    EXPECT_EQ(action.operation, name) << request.method << " " << request.path;
    EXPECT_NE(action.aws_operation, nullptr) << name;
  }
  const RequestAction unknown = ActionOf(Request("POST", "/", {{"x-amz-target", "Logs_20140328.PutLogEvents"}}), {});
  EXPECT_EQ(unknown.operation, "logs:unknown");
  EXPECT_EQ(unknown.access, auth::Access::kAdmin);
}

class AdmissionTest : public ::testing::Test {
 protected:
  AdmissionTest() {
    for (auth::Role role : {auth::Role::kViewer, auth::Role::kOperator, auth::Role::kAdmin}) {
      Result<auth::MintedToken> minted = auth::MintToken("", role, clock_.NowMs(), std::nullopt);
      EXPECT_TRUE(minted.ok());
      tokens_.Put(minted->token);
      text_[role] = minted->text;
      id_[role] = minted->token.id;
    }
  }

  std::optional<Refusal> Admit(HttpRequest& r) {
    return api::Admit(authenticator_, ActionOf(r, routes_), r);
  }
  HttpRequest WithToken(std::string method, std::string path, auth::Role role) {
    return Request(std::move(method), std::move(path), {{"authorization", "Bearer " + text_[role]}});
  }

  FakeClock clock_;
  auth::TokenRing tokens_;
  const auth::Authenticator authenticator_{auth::KeyRing(), tokens_, /*enabled=*/true, clock_};
  const std::vector<RouteSpec> routes_ = Router::NativeRoutes();
  std::map<auth::Role, std::string> text_, id_;
};

TEST_F(AdmissionTest, WithAuthenticationOffEveryRequestIsAnonymous) {
  const auth::Authenticator off(auth::KeyRing(), tokens_, /*enabled=*/false, clock_);
  HttpRequest r = Request("POST", "/api/v1/tokens");
  EXPECT_FALSE(api::Admit(off, ActionOf(r, routes_), r));
  ASSERT_TRUE(r.identity);
  EXPECT_TRUE(r.identity->anonymous());
}

TEST_F(AdmissionTest, UnsignedAwsRequestIsForbiddenInItsServicesErrorFormat) {
  HttpRequest batch = Request("POST", "/v1/describejobs");
  std::optional<Refusal> refused = Admit(batch);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->response.status, 403);
  EXPECT_EQ(refused->response.body,
            R"({"__type":"MissingAuthenticationTokenException","message":"Missing Authentication Token"})");
  EXPECT_EQ(refused->actor, "anonymous");
  EXPECT_FALSE(batch.identity);
}

TEST_F(AdmissionTest, NativeRoutesNeedATokenExceptThePublicOnes) {
  HttpRequest runs = Request("GET", "/api/v1/pipelines");
  std::optional<Refusal> refused = Admit(runs);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->response.status, 401);
  EXPECT_EQ(HeaderOf(refused->response, "x-amzn-ErrorType"), "UnauthorizedException");
  EXPECT_EQ(HeaderOf(refused->response, "WWW-Authenticate"), "Bearer");
  HttpRequest malformed = Request("GET", "/api/v1/pipelines", {{"authorization", "Bearer nst_xyz"}});
  EXPECT_EQ(Admit(malformed)->response.status, 401);
  for (const char* open : {"/healthz", "/api/v1/openapi.json"}) {
    HttpRequest r = Request("GET", open);
    EXPECT_FALSE(Admit(r)) << open;
  }
  HttpRequest metrics = Request("GET", "/metrics");
  EXPECT_EQ(Admit(metrics)->response.status, 401);
}

TEST_F(AdmissionTest, EachRoleDoesWhatItsRankAllows) {
  struct Case {
    std::string method, path;
    auth::Role needs;
  };
  const Case cases[] = {{"GET", "/api/v1/pipelines", auth::Role::kViewer},
                        {"POST", "/v1/describejobs", auth::Role::kViewer},
                        {"POST", "/v1/submitjob", auth::Role::kOperator},
                        {"POST", "/api/v1/runs/r1/cancel", auth::Role::kOperator},
                        {"POST", "/v1/createcomputeenvironment", auth::Role::kAdmin},
                        {"POST", "/api/v1/tokens", auth::Role::kAdmin},
                        {"GET", "/api/v1/audit", auth::Role::kAdmin}};
  for (const Case& c : cases) {
    for (auth::Role role : {auth::Role::kViewer, auth::Role::kOperator, auth::Role::kAdmin}) {
      HttpRequest r = WithToken(c.method, c.path, role);
      const bool allowed = static_cast<int>(role) >= static_cast<int>(c.needs);
      std::optional<Refusal> refused = Admit(r);
      EXPECT_EQ(!refused, allowed) << c.method << " " << c.path << " as " << auth::RoleName(role);
      if (refused) {
        EXPECT_EQ(refused->response.status, 403);
        EXPECT_EQ(HeaderOf(refused->response, "x-amzn-ErrorType"), "AccessDeniedException");
        EXPECT_EQ(refused->actor, "token:" + id_[role]);
        EXPECT_EQ(refused->role, auth::RoleName(role));
      } else {
        EXPECT_EQ(r.identity->id, id_[role]);
      }
    }
  }
  HttpRequest submit = WithToken("POST", "/v1/createcomputeenvironment", auth::Role::kOperator);
  EXPECT_NE(Admit(submit)->response.body.find("User: token:" + id_[auth::Role::kOperator] +
                                              " is not authorized to perform: batch:CreateComputeEnvironment"),
            std::string::npos);
}

}  // namespace
}  // namespace nightshift::api
