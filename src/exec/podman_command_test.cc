// Unit tests of the podman command line and of how podman's exit becomes an outcome.
#include "exec/podman_command.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace nightshift::exec {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Not;

LaunchRequest ContainerLaunch() {
  LaunchRequest request;
  request.key = {"job-1", 2};
  request.argv = {"sh", "-c", "echo hi"};
  request.container = ContainerRequest{"localhost/busybox:latest", {}, "", {}};
  return request;
}

PodmanSettings Settings() {
  PodmanSettings settings;
  settings.pull = PullPolicy::kNever;
  settings.owner = "/data/jobs";
  return settings;
}

TEST(PodmanCommandTest, PlainJobRunsWithoutNetworkLabelledAndRemoved) {
  std::vector<std::string> argv = PodmanRunArgv(Settings(), ContainerLaunch(), {{"A", "b"}}, {});
  EXPECT_THAT(argv, ElementsAre("podman", "run", "--rm", "--pull=never", "--name=nightshift-job-1-2",
                                "--label=nightshift.job=job-1", "--label=nightshift.attempt=2",
                                "--label=nightshift.owner=/data/jobs", "--network=none",
                                "--cpus=1", "--env=A=b", "localhost/busybox:latest", "sh", "-c", "echo hi"));
}

TEST(PodmanCommandTest, EveryContainerSettingBecomesItsFlag) {
  LaunchRequest request = ContainerLaunch();
  core::ContainerSettings& c = request.container->settings;
  c.volumes = {{"data", "/srv/data"}, {"out", "/srv/out"}};
  c.mount_points = {{"data", "/data", true}, {"out", "/out", false}};
  c.ulimits = {{"nofile", 100, 200}};
  c.readonly_root_filesystem = true;
  c.privileged = true;
  c.network = true;
  c.working_dir = "/data";
  request.container->user = "nobody";
  request.container->resources = {0.5, 64};
  PodmanSettings settings = Settings();
  settings.runtime = "runc";
  settings.default_nofile = core::Ulimit{"nofile", 20000, 20000};
  settings.default_nproc = core::Ulimit{"nproc", 1000, 2000};
  std::vector<std::string> argv = PodmanRunArgv(settings, request, {}, {"SECRET"});
  EXPECT_EQ(argv[1], "--runtime=runc");
  for (const char* flag : {"--memory=64m", "--memory-swap=64m", "--cpus=0.5", "--ulimit=nofile=100:200",
                           "--ulimit=nproc=1000:2000", "--user=nobody", "--read-only", "--privileged",
                           "--volume=/srv/data:/data:ro", "--volume=/srv/out:/out", "--workdir=/data", "--env=SECRET"}) {
    EXPECT_THAT(argv, Contains(flag));
  }
  EXPECT_THAT(argv, Not(Contains("--ulimit=nofile=20000:20000")));  // the job's own replaces it
  EXPECT_THAT(argv, Not(Contains("--network=none")));
}

TEST(PodmanCommandTest, MemoryInTheAttemptCgroupModeUsesACgroupParentOfItsOwn) {
  LaunchRequest request = ContainerLaunch();
  request.container->resources.memory_mib = 32;
  PodmanSettings settings = Settings();
  settings.memory = MemoryMode::kAttemptCgroup;
  std::vector<std::string> argv = PodmanRunArgv(settings, request, {}, {});
  EXPECT_THAT(argv, Contains("--cgroup-manager=cgroupfs"));
  EXPECT_THAT(argv, Contains("--cgroup-parent=/nightshift/nightshift-job-1-2"));
  EXPECT_THAT(argv, Not(Contains("--memory=32m")));
}

TEST(PodmanCommandTest, NoCommandLeavesTheImagesOwn) {
  LaunchRequest request = ContainerLaunch();
  request.argv.clear();
  std::vector<std::string> argv = PodmanRunArgv(Settings(), request, {}, {});
  EXPECT_EQ(argv.back(), "localhost/busybox:latest");
}

TEST(PodmanCommandTest, ContainerNamesReplaceCharactersPodmanRefuses) {
  EXPECT_EQ(ContainerNameOf({"0190a3c2-9f:3", 1}), "nightshift-0190a3c2-9f_3-1");
}

TEST(PodmanCommandTest, ParsesTheListOfAnOwnersContainers) {
  std::vector<ListedContainer> listed =
      ParseListedContainers("nightshift-a_1-2 2 a:1\ngarbage\nnightshift-b-1 x b\nnightshift-c-1 1 c\n");
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].name, "nightshift-a_1-2");
  EXPECT_EQ(listed[0].key, (AttemptKey{"a:1", 2}));
  EXPECT_EQ(listed[1].key, (AttemptKey{"c", 1}));
}

TEST(PodmanCommandTest, ParsesPullPolicies) {
  EXPECT_EQ(ParsePullPolicy("never"), PullPolicy::kNever);
  EXPECT_EQ(ParsePullPolicy("missing"), PullPolicy::kMissing);
  EXPECT_EQ(ParsePullPolicy("always"), PullPolicy::kAlways);
  EXPECT_EQ(ParsePullPolicy("sometimes"), std::nullopt);
}

TEST(PodmanExitTest, ExitCodesPassThrough) {
  core::AttemptOutcome outcome = DecodePodmanExit({.exit_code = 3, .stderr_tail = "oops\n"});
  EXPECT_EQ(outcome.kind, core::AttemptOutcome::Kind::kExited);
  EXPECT_EQ(outcome.exit_code, 3);
  EXPECT_EQ(outcome.reason, "");
}

TEST(PodmanExitTest, AMissingImageIsCannotPullContainerError) {
  core::AttemptOutcome outcome =
      DecodePodmanExit({.exit_code = 125, .stderr_tail = "Error: localhost/nope:latest: image not known\n"});
  EXPECT_EQ(outcome.kind, core::AttemptOutcome::Kind::kSpawnFailed);
  EXPECT_EQ(outcome.reason, "CannotPullContainerError: localhost/nope:latest: image not known");
  outcome = DecodePodmanExit({.exit_code = 125, .stderr_tail = "Error: repository name must be lowercase\n"});
  EXPECT_EQ(outcome.reason, "CannotPullContainerError: repository name must be lowercase");
}

TEST(PodmanExitTest, AnUnknownUserIsCannotStartContainerError) {
  core::AttemptOutcome outcome = DecodePodmanExit(
      {.exit_code = 126, .stderr_tail = "Error: unable to find user nosuch: no matching entries in passwd file\n"});
  EXPECT_EQ(outcome.kind, core::AttemptOutcome::Kind::kSpawnFailed);
  EXPECT_EQ(outcome.reason, "CannotStartContainerError: unable to find user nosuch: no matching entries in passwd file");
}

TEST(PodmanExitTest, TheContainersOwnErrorLineBeforeLaterOutputIsNotPodmans) {
  core::AttemptOutcome outcome = DecodePodmanExit({.exit_code = 127, .stderr_tail = "Error: x\nsh: nope: not found\n"});
  EXPECT_EQ(outcome.kind, core::AttemptOutcome::Kind::kExited);
  EXPECT_EQ(outcome.exit_code, 127);
}

TEST(PodmanExitTest, AKillAtTheMemoryLimitIsOutOfMemoryError) {
  core::AttemptOutcome outcome = DecodePodmanExit({.exit_code = 137, .memory_limit_hit = true});
  EXPECT_EQ(outcome.exit_code, 137);
  EXPECT_EQ(outcome.reason, kOutOfMemoryReason);
}

TEST(PodmanExitTest, AKillOfOursOrBelowTheLimitIsNotOutOfMemory) {
  EXPECT_EQ(DecodePodmanExit({.exit_code = 137, .memory_limit_hit = true, .stopped_by_us = true}).reason, "");
  EXPECT_EQ(DecodePodmanExit({.exit_code = 137}).reason, "");
  EXPECT_EQ(DecodePodmanExit({.exit_code = 1, .memory_limit_hit = true}).reason, "");
}

}  // namespace
}  // namespace nightshift::exec
