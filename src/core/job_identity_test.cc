#include "core/job_identity.h"

#include <gtest/gtest.h>

namespace nightshift::core {
namespace {

JobQueue Queue(std::string run_as = "") {
  JobQueue q;
  q.name = "q";
  if (!run_as.empty()) q.tags[kRunAsTag] = run_as;
  return q;
}

ComputeEnvironment Ce(std::string run_as = "") {
  ComputeEnvironment ce;
  ce.name = "local";
  if (!run_as.empty()) ce.tags[kRunAsTag] = run_as;
  return ce;
}

JobSpec Spec(std::string user = "") {
  JobSpec spec;
  spec.user = std::move(user);
  return spec;
}

constexpr RunAsPolicy kRefuse{.refuse_unchosen_root = true};

TEST(RunAsTest, TheQueueWinsOverTheComputeEnvironmentWhichWinsOverTheJobDefinition) {
  const JobQueue q = Queue("alice"), plain_q = Queue();
  const ComputeEnvironment ce = Ce("bob"), plain_ce = Ce();
  EXPECT_EQ(*ChooseRunAs(&q, &ce, Spec("carol"), kRefuse), "alice");
  EXPECT_EQ(*ChooseRunAs(&plain_q, &ce, Spec("carol"), kRefuse), "bob");
  EXPECT_EQ(*ChooseRunAs(&plain_q, &plain_ce, Spec("carol"), kRefuse), "carol");
  EXPECT_EQ(*ChooseRunAs(nullptr, nullptr, Spec("carol"), kRefuse), "carol");
}

TEST(RunAsTest, NoChoiceRunsAsTheServerUnlessItIsRootAndRefuses) {
  const JobQueue q = Queue();
  const ComputeEnvironment ce = Ce();
  EXPECT_EQ(*ChooseRunAs(&q, &ce, Spec(), RunAsPolicy{}), "");
  Result<std::string> refused = ChooseRunAs(&q, &ce, Spec(), kRefuse);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("refusing to run the job as root"), std::string::npos);
  EXPECT_NE(refused.status().message().find("job queue q or compute environment local"), std::string::npos);
  EXPECT_NE(refused.status().message().find("--allow-root-jobs"), std::string::npos);
}

TEST(RunAsTest, AnExplicitRootIsHonoured) {
  const JobQueue q = Queue("root");
  EXPECT_EQ(*ChooseRunAs(&q, nullptr, Spec(), kRefuse), "root");
}

TEST(RunAsTest, UserNamesAndUidsAreAcceptedOtherTextIsNot) {
  for (const char* good : {"nobody", "svc_etl", "a.b-c", "1000", "www-data"}) {
    EXPECT_TRUE(CheckUserName(good, "user").ok()) << good;
  }
  for (const char* bad : {"", "-rf", "a b", "a/b", "x:y", "abcdefghijklmnopqrstuvwxyz0123456"}) {
    Status st = CheckUserName(bad, "containerProperties.user");
    EXPECT_FALSE(st.ok()) << bad;
    EXPECT_NE(st.message().find("containerProperties.user"), std::string::npos);
  }
}

TEST(SecretRefTest, AFileUrlInsideTheSecretsDirIsItsPath) {
  EXPECT_EQ(*SecretPath("file:///etc/ns/secrets/db", "/etc/ns/secrets"), "/etc/ns/secrets/db");
  EXPECT_EQ(*SecretPath("file:///etc/ns/secrets/a/b", "/etc/ns/secrets"), "/etc/ns/secrets/a/b");
}

TEST(SecretRefTest, APlainNameIsAFileInTheSecretsDir) {
  EXPECT_EQ(*SecretPath("db-password", "/var/lib/ns/secrets"), "/var/lib/ns/secrets/db-password");
}

TEST(SecretRefTest, PathsOutsideTheSecretsDirAreRefused) {
  for (const char* outside : {"file:///etc/shadow", "file:///etc/ns/secretsX/db", "file:///etc/ns/secrets"}) {
    Result<std::string> path = SecretPath(outside, "/etc/ns/secrets");
    EXPECT_FALSE(path.ok()) << outside;
  }
  Result<std::string> path = SecretPath("file:///etc/shadow", "/etc/ns/secrets");
  EXPECT_NE(path.status().message().find("outside the server's secrets directory /etc/ns/secrets"), std::string::npos);
}

TEST(SecretRefTest, OtherFormsAndTraversalAreRefusedAtRegistration) {
  for (const char* bad : {"arn:aws:secretsmanager:us-east-1:1:secret:x", "file://host/etc/x", "file:///etc/ns/../shadow",
                          "file:///a/./b", "file:///a//b", "file:///a/", "relative/path", "..", ".", ""}) {
    Status st = CheckSecretRef({"DB", bad}, "containerProperties.secrets[0]");
    EXPECT_FALSE(st.ok()) << bad;
    EXPECT_NE(st.message().find("containerProperties.secrets[0].valueFrom"), std::string::npos) << st.message();
  }
  EXPECT_TRUE(CheckSecretRef({"DB", "file:///etc/ns/secrets/db"}, "s").ok());
  EXPECT_TRUE(CheckSecretRef({"DB", "db.password"}, "s").ok());
}

TEST(SecretRefTest, NamesMustBeEnvironmentNamesOutsideTheReservedPrefix) {
  EXPECT_FALSE(CheckSecretRef({"", "db"}, "s").ok());
  EXPECT_FALSE(CheckSecretRef({"A=B", "db"}, "s").ok());
  EXPECT_FALSE(CheckSecretRef({"AWS_BATCH_X", "db"}, "s").ok());
}

}  // namespace
}  // namespace nightshift::core
