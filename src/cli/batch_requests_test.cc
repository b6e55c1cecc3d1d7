#include "cli/batch_requests.h"

#include <gtest/gtest.h>

namespace nightshift::cli {
namespace {

TEST(BatchRequestsTest, ADependencyTypeIsOnlyAKnownWordAfterTheLastColon) {
  EXPECT_EQ(*ParseDependency("abc"), Json({{"jobId", "abc"}}));
  EXPECT_EQ(*ParseDependency("abc:afterany"), Json({{"jobId", "abc"}, {"type", "afterany"}}));
  EXPECT_EQ(*ParseDependency("abc:n_to_n"), Json({{"jobId", "abc"}, {"type", "N_TO_N"}}));
  EXPECT_EQ(*ParseDependency("abc:3"), Json({{"jobId", "abc:3"}}));  // an array child
  EXPECT_EQ(*ParseDependency("abc:3:AFTEROK"), Json({{"jobId", "abc:3"}, {"type", "afterok"}}));
  EXPECT_EQ(*ParseDependency(":SEQUENTIAL"), Json({{"type", "SEQUENTIAL"}}));
  EXPECT_FALSE(ParseDependency(":afterok").ok());
}

TEST(BatchRequestsTest, SubmitJobCarriesEveryGivenFlag) {
  JobFlags f;
  f.definition = "etl:2";
  f.container.shell_command = "echo hi";
  f.container.env = {"A=1", "B=x=y"};
  f.container.vcpus = 0.5;
  f.container.memory_mib = 256;
  f.depends_on = {"p1", "p2:afternotok"};
  f.array_size = 4;
  f.parameters = {"day=2024-01-01"};
  f.timeout_seconds = 60;
  f.retry_attempts = 3;
  Result<Json> body = SubmitJobBody(f);
  ASSERT_TRUE(body.ok()) << body.status().message();
  EXPECT_EQ((*body)["jobName"], "etl");
  EXPECT_EQ((*body)["jobQueue"], "default");
  EXPECT_EQ((*body)["containerOverrides"]["command"], Json({"/bin/sh", "-c", "echo hi"}));
  EXPECT_EQ((*body)["containerOverrides"]["environment"][1], Json({{"name", "B"}, {"value", "x=y"}}));
  EXPECT_EQ((*body)["containerOverrides"]["resourceRequirements"],
            Json::parse(R"([{"type":"VCPU","value":"0.5"},{"type":"MEMORY","value":"256"}])"));
  EXPECT_EQ((*body)["dependsOn"][1], Json({{"jobId", "p2"}, {"type", "afternotok"}}));
  EXPECT_EQ((*body)["arrayProperties"]["size"], 4);
  EXPECT_EQ((*body)["parameters"]["day"], "2024-01-01");
  EXPECT_EQ((*body)["timeout"]["attemptDurationSeconds"], 60);
  EXPECT_EQ((*body)["retryStrategy"]["attempts"], 3);
}

TEST(BatchRequestsTest, ASubmissionWithoutOverridesSendsNone) {
  JobFlags f;
  f.definition = "etl";
  f.name = "mine";
  Result<Json> body = SubmitJobBody(f);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(*body, Json({{"jobName", "mine"}, {"jobQueue", "default"}, {"jobDefinition", "etl"}}));
}

TEST(BatchRequestsTest, BadFlagsAreUsageErrors) {
  JobFlags f;
  EXPECT_EQ(SubmitJobBody(f).status().code(), StatusCode::kInvalidArgument);
  f.definition = "d";
  f.container.env = {"NOEQUALS"};
  EXPECT_EQ(SubmitJobBody(f).status().message(), "--env takes KEY=VALUE, got 'NOEQUALS'");
  ContainerFlags both;
  both.shell_command = "x";
  both.argv = {"y"};
  EXPECT_FALSE(ContainerJson(both).ok());
  EXPECT_FALSE(RegisterJobDefinitionBody("d", ContainerFlags{}, {}, 0, 0).ok());  // no command
}

TEST(BatchRequestsTest, RegisterJobDefinitionTakesTheArgvAsGiven) {
  ContainerFlags c;
  c.argv = {"echo", "a b"};
  Result<Json> body = RegisterJobDefinitionBody("hello", c, {"x=1"}, 0, 2);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ((*body)["type"], "container");
  EXPECT_EQ((*body)["containerProperties"]["command"], Json({"echo", "a b"}));
  EXPECT_EQ((*body)["parameters"]["x"], "1");
  EXPECT_EQ((*body)["retryStrategy"]["attempts"], 2);
  EXPECT_FALSE(body->contains("timeout"));
}

}  // namespace
}  // namespace nightshift::cli
