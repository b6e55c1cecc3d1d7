#include "slurm/task_spec.h"

#include <gtest/gtest.h>

namespace nightshift::slurm {
namespace {

TEST(TaskSpecTest, RoundTripsEveryField) {
  TaskSpec spec;
  spec.job_id = "0190f3c2-aaaa-7bbb-8ccc-000000000001:7";
  spec.attempt = 3;
  spec.argv = {"/bin/sh", "-c", "echo 'a b'\nexit 3", ""};
  spec.environment = {{"PATH", "/bin"}, {"EMPTY", ""}, {"MULTI", "x=y\nz"}};
  spec.secrets = {{"TOKEN", "file://db/token"}};
  spec.secrets_dir = "/etc/nightshift/secrets";
  spec.working_dir = "/srv/etl";
  Result<TaskSpec> decoded = DecodeTaskSpec(EncodeTaskSpec(spec));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->job_id, spec.job_id);
  EXPECT_EQ(decoded->attempt, 3);
  EXPECT_EQ(decoded->argv, spec.argv);
  ASSERT_EQ(decoded->environment.size(), 3u);
  EXPECT_EQ(decoded->environment[2].name, "MULTI");
  EXPECT_EQ(decoded->environment[2].value, "x=y\nz");
  ASSERT_EQ(decoded->secrets.size(), 1u);
  EXPECT_EQ(decoded->secrets[0].value_from, "file://db/token");
  EXPECT_EQ(decoded->secrets_dir, spec.secrets_dir);
  EXPECT_EQ(decoded->working_dir, spec.working_dir);
}

TEST(TaskSpecTest, RejectsDamagedSpecs) {
  TaskSpec spec;
  spec.job_id = "j";
  spec.argv = {"true"};
  std::string good = EncodeTaskSpec(spec);
  EXPECT_FALSE(DecodeTaskSpec(good.substr(0, good.size() - 1)).ok()) << "cut short";
  EXPECT_FALSE(DecodeTaskSpec(std::string("attempt\0") + "1" + '\0').ok()) << "no job";
  EXPECT_FALSE(DecodeTaskSpec(std::string("job\0j\0attempt\0x\0arg\0true\0", 24)).ok()) << "bad attempt";
  EXPECT_FALSE(DecodeTaskSpec(std::string("job\0j\0attempt\0" "1\0", 16)).ok()) << "no command";
  EXPECT_FALSE(DecodeTaskSpec(std::string("job\0j\0attempt\0" "1\0arg\0t\0env\0NOEQUALS\0", 33)).ok());
  EXPECT_TRUE(DecodeTaskSpec(good + std::string("future\0value\0", 13)).ok()) << "unknown keys are ignored";
}

TEST(TaskSpecTest, StartRecordRoundTrips) {
  Result<StartRecord> r = ParseStartRecord(FormatStartRecord({1'700'000'000'123, "12_3"}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->started_at, 1'700'000'000'123);
  EXPECT_EQ(r->slurm_job, "12_3");
  EXPECT_EQ(r->slurm_job_id, "");
  r = ParseStartRecord(FormatStartRecord({5, "12_3", "15"}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->slurm_job_id, "15");
  EXPECT_FALSE(ParseStartRecord("slurm_job 1\n").ok());
  EXPECT_FALSE(ParseStartRecord("started_at soon\n").ok());
}

TEST(TaskSpecTest, LayoutNamesFilesByTask) {
  SharedLayout layout{"/shared/ns"};
  EXPECT_EQ(TaskName("abc:2", 1), "abc:2.1");
  EXPECT_EQ(layout.TaskPath("abc:2.1"), "/shared/ns/tasks/abc:2.1.task");
  EXPECT_EQ(layout.ExitPath("abc:2.1"), "/shared/ns/status/abc:2.1.exit");
  EXPECT_EQ(layout.LogPath("abc:2.1"), "/shared/ns/logs/abc:2.1.log");
}

}  // namespace
}  // namespace nightshift::slurm
