#include "slurm/slurm_text.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <csignal>

namespace nightshift::slurm {
namespace {

TEST(SbatchArgvTest, MapsResourcesTimeoutAndSettings) {
  Submission s;
  s.job_name = "ns.b1";
  s.size = 3;
  s.settings = {.partition = "debug", .account = "etl", .qos = "", .sbatch_args = {"--exclusive"}};
  s.resources = {.vcpus = 1.5, .memory_mib = 512};
  s.timeout_seconds = 61;
  s.output_dir = "/shared/logs";
  s.wrapper = "/opt/nightshift/nightshift-slurm-task";
  s.batch_path = "/shared/batches/it's.batch";
  std::vector<std::string> argv = SbatchArgv("sbatch", s);
  auto has = [&](const std::string& arg) { return std::find(argv.begin(), argv.end(), arg) != argv.end(); };
  EXPECT_EQ(argv[0], "sbatch");
  EXPECT_TRUE(has("--parsable"));
  EXPECT_TRUE(has("--job-name=ns.b1"));
  EXPECT_TRUE(has("--array=0-2"));
  EXPECT_TRUE(has("--partition=debug"));
  EXPECT_TRUE(has("--account=etl"));
  EXPECT_FALSE(std::any_of(argv.begin(), argv.end(), [](const std::string& a) { return a.rfind("--qos", 0) == 0; }));
  EXPECT_TRUE(has("--cpus-per-task=2")) << "vCPUs round up";
  EXPECT_TRUE(has("--mem=512M"));
  EXPECT_TRUE(has("--time=3")) << "61 s is 2 minutes, plus one: nightshift enforces the exact timeout";
  EXPECT_TRUE(has("--no-requeue"));
  EXPECT_TRUE(has("--exclusive"));
  EXPECT_EQ(argv.back(), "--wrap=exec '/opt/nightshift/nightshift-slurm-task' '/shared/batches/it'\\''s.batch'");
  s.size = 1;
  argv = SbatchArgv("sbatch", s);
  EXPECT_FALSE(std::any_of(argv.begin(), argv.end(), [](const std::string& a) { return a.rfind("--array", 0) == 0; }))
      << "a single task is a plain job";
}

TEST(SbatchOutputTest, ReadsTheJobId) {
  EXPECT_EQ(*ParseSbatchOutput("1234\n"), "1234");
  EXPECT_EQ(*ParseSbatchOutput("77;cluster\n"), "77");
  EXPECT_FALSE(ParseSbatchOutput("").ok());
  EXPECT_FALSE(ParseSbatchOutput("Submitted batch job 5").ok());
}

TEST(SlurmErrorTest, TellsTransientFromPermanent) {
  EXPECT_TRUE(IsTransientSlurmError("sbatch: error: Batch job submission failed: Unable to contact slurm controller (connect failure)"));
  EXPECT_TRUE(IsTransientSlurmError("squeue: error: slurm_load_jobs error: Socket timed out on send/recv operation"));
  EXPECT_FALSE(IsTransientSlurmError("sbatch: error: invalid partition specified: nope"));
}

TEST(SacctTest, ReadsElementsStatesAndExitCodesFromSlurmdbdAndTheCompletionLog) {
  // slurmdbd (-X): array elements as "<array>_<index>", with the raw id beside.
  std::vector<AccountedJob> jobs = ParseSacct(
      "41_3|44|ns.b1|CANCELLED by 0|0:15\n"
      "45|45|ns.b2|FAILED|3:0\n"
      "46|46|ns.b3|COMPLETED|0:0\n"
      "47_[0-3]|47|ns.b4|PENDING|0:0\n");
  ASSERT_EQ(jobs.size(), 4u);
  EXPECT_EQ(jobs[0].job_id, "41_3");
  EXPECT_EQ(jobs[0].raw_id, "44");
  EXPECT_EQ(jobs[0].job_name, "ns.b1");
  EXPECT_EQ(jobs[0].element.array_job_id, "41");
  EXPECT_EQ(jobs[0].element.task, 3);
  EXPECT_EQ(jobs[0].element.state, "CANCELLED");
  EXPECT_EQ(jobs[0].element.raw_exit, 15) << "a signal is the low bits of the wait status";
  EXPECT_EQ(jobs[1].element.raw_exit, 3 << 8) << "exit 3 is 768, as squeue reports it";
  EXPECT_EQ(jobs[1].element.array_job_id, "45");
  EXPECT_EQ(OutcomeFromSlurm(jobs[1].element, "45").exit_code, 3);
  EXPECT_EQ(OutcomeFromSlurm(jobs[0].element, "41_3").signal, 15);
  EXPECT_EQ(jobs[2].element.raw_exit, 0);
  // The completion log (-c) on a cluster without slurmdbd: raw ids only, and warnings about
  // the fields it cannot read, which are not records.
  jobs = ParseSacct("sacct: error: Unknown type ArrayJobId: 2\n3|3|ns.b5|FAILED|0:9\n\ngarbage\n");
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].raw_id, "3");
  EXPECT_EQ(jobs[0].element.raw_exit, 9);
  EXPECT_TRUE(ParseSacct("").empty());
  EXPECT_TRUE(IsAccountingDisabled("Slurm accounting storage is disabled\n"));
  EXPECT_FALSE(IsAccountingDisabled("sacct: error: Problem talking to the database: Connection refused"));
}

TEST(RestTest, SubmitBodyCarriesTheSbatchOptionsAndRefusesExtraArguments) {
  Submission s;
  s.job_name = "ns.b1";
  s.size = 3;
  s.settings.partition = "debug";
  s.settings.account = "acct";
  s.resources.vcpus = 1.5;
  s.resources.memory_mib = 512;
  s.timeout_seconds = 61;
  s.output_dir = "/shared/logs";
  s.wrapper = "/opt/nightshift-slurm-task";
  s.batch_path = "/shared/batches/b1.batch";
  Result<std::string> body = RestSubmitBody(s, {{"PATH", "/usr/bin:/bin"}});
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  nlohmann::json doc = nlohmann::json::parse(*body);
  EXPECT_EQ(doc["script"], "#!/bin/sh\nexec '/opt/nightshift-slurm-task' '/shared/batches/b1.batch'\n");
  const nlohmann::json& job = doc["job"];
  EXPECT_EQ(job["name"], "ns.b1");
  EXPECT_EQ(job["array"], "0-2");
  EXPECT_EQ(job["standard_output"], "/shared/logs/slurm-%A_%a.out");
  EXPECT_EQ(job["partition"], "debug");
  EXPECT_EQ(job["account"], "acct");
  EXPECT_FALSE(job.contains("qos"));
  EXPECT_EQ(job["cpus_per_task"], 2);
  EXPECT_EQ(job["memory_per_node"], 512);
  EXPECT_EQ(job["time_limit"], 3) << "minutes, rounded up, plus one: nightshift enforces the exact timeout";
  EXPECT_EQ(job["requeue"], false);
  EXPECT_EQ(job["environment"]["PATH"], "/usr/bin:/bin");
  s.size = 1;
  s.settings.sbatch_args = {"--exclusive"};
  Result<std::string> refused = RestSubmitBody(s, {});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("--exclusive"), std::string::npos);
}

TEST(RestTest, SubmitAnswerIsTheJobIdOrSlurmrestdsErrors) {
  EXPECT_EQ(*ParseRestSubmitAnswer(R"({"meta": {}, "errors": [], "job_id": 42, "step_id": "BATCH"})"), "42");
  // Queued, with a warning (the node re-registering after a controller restart).
  EXPECT_EQ(*ParseRestSubmitAnswer(R"j({"errors": [{"error_code": 2068, "error": "Required node not available (down, drained or reserved)"}], "job_id": 7})j"), "7");
  Result<std::string> down = ParseRestSubmitAnswer(
      R"j({"errors": [{"error": "Unable to contact slurm controller (connect failure)", "error_number": 1007}]})j");
  ASSERT_FALSE(down.ok());
  EXPECT_TRUE(IsTransientSlurmError(down.status().message())) << down.status().message();
  Result<std::string> bad = ParseRestSubmitAnswer(R"({"errors": [{"error": "Invalid partition name specified",
      "description": "nope"}]})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "slurmrestd: Invalid partition name specified: nope");
  EXPECT_FALSE(IsTransientSlurmError(bad.status().message()));
  EXPECT_FALSE(ParseRestSubmitAnswer("<html>").ok());
  EXPECT_EQ(RestErrors(R"({"errors": []})"), "");
  EXPECT_EQ(RestErrors("not json"), "");
  EXPECT_TRUE(IsTransientSlurmError("Unable to contact slurmrestd at unix:/run/x.sock: Connection refused"));
}

TEST(ArrayTaskStringTest, ExpandsRangesListsStepsAndThrottles) {
  EXPECT_EQ(*ParseArrayTaskString("0-3"), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(*ParseArrayTaskString("1,3,8"), (std::vector<int>{1, 3, 8}));
  EXPECT_EQ(*ParseArrayTaskString("0-6:3"), (std::vector<int>{0, 3, 6}));
  EXPECT_EQ(*ParseArrayTaskString("2-4%1"), (std::vector<int>{2, 3, 4}));
  EXPECT_EQ(*ParseArrayTaskString("5,7-8"), (std::vector<int>{5, 7, 8}));
  EXPECT_FALSE(ParseArrayTaskString("4-2").ok());
  EXPECT_FALSE(ParseArrayTaskString("a").ok());
}

TEST(SqueueJsonTest, ReadsElementsOfOurJobsOnly) {
  const char* json = R"({"jobs": [
    {"job_id": 12, "array_job_id": 10, "array_task_id": 2, "name": "ns.b1", "job_state": "RUNNING",
     "state_reason": "None", "exit_code": 0},
    {"job_id": 10, "array_job_id": 10, "array_task_id": null, "array_task_string": "3-4", "name": "ns.b1",
     "job_state": "PENDING", "state_reason": "Resources", "exit_code": 0},
    {"job_id": 13, "array_job_id": 0, "array_task_id": null, "name": "ns.b2", "job_state": "FAILED",
     "state_reason": "NonZeroExitCode", "exit_code": 768},
    {"job_id": 14, "array_job_id": 0, "name": "someone-else", "job_state": "RUNNING", "exit_code": 0}
  ]})";
  Result<std::vector<NamedElements>> e = ParseSqueueJson(json, "ns.");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  ASSERT_EQ(e->size(), 4u);
  EXPECT_EQ((*e)[0].element.task, 2);
  EXPECT_EQ((*e)[0].element.array_job_id, "10");
  EXPECT_EQ((*e)[1].element.task, 3);
  EXPECT_EQ((*e)[2].element.task, 4);
  EXPECT_EQ((*e)[2].element.reason, "Resources");
  EXPECT_EQ((*e)[3].job_name, "ns.b2");
  EXPECT_EQ((*e)[3].element.array_job_id, "13") << "a plain job's own id";
  EXPECT_EQ((*e)[3].element.raw_exit, 768);
  EXPECT_FALSE(ParseSqueueJson("not json", "ns.").ok());
}

TEST(SqueueJsonTest, AnErrorsMemberIsNoAnswerNotAnEmptyQueue) {
  Result<std::vector<NamedElements>> e = ParseSqueueJson(
      R"({"errors": [{"description": "Failed while looking for jobs", "error": "Unspecified error",
          "source": "slurm_load_jobs"}], "jobs": []})", "ns.");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(e.status().message().find("Failed while looking for jobs"), std::string::npos);
}

TEST(OutcomeFromSlurmTest, DecodesRawStatusesAndStates) {
  core::AttemptOutcome exited = OutcomeFromSlurm({"1", 0, "FAILED", "", 768}, "1_0");
  EXPECT_EQ(exited.kind, core::AttemptOutcome::Kind::kExited);
  EXPECT_EQ(exited.exit_code, 3) << "768 is exit 3";
  core::AttemptOutcome killed = OutcomeFromSlurm({"1", 0, "FAILED", "", 9}, "1_0");
  EXPECT_EQ(killed.kind, core::AttemptOutcome::Kind::kSignaled);
  EXPECT_EQ(killed.signal, 9);
  EXPECT_NE(OutcomeFromSlurm({"1", 0, "COMPLETED", "", 0}, "1_0").exit_code, 0)
      << "no exit record is not a success";
  core::AttemptOutcome cancelled = OutcomeFromSlurm({"1", 0, "CANCELLED", "", 0}, "1_0");
  EXPECT_EQ(cancelled.kind, core::AttemptOutcome::Kind::kSignaled);
  EXPECT_NE(cancelled.reason.find("CANCELLED"), std::string::npos);
  core::AttemptOutcome node = OutcomeFromSlurm({"1", 0, "NODE_FAIL", "", 0}, "1_4");
  EXPECT_EQ(node.kind, core::AttemptOutcome::Kind::kLost);
  EXPECT_EQ(node.reason, "Slurm job 1_4 ended NODE_FAIL");
  core::AttemptOutcome oom = OutcomeFromSlurm({"1", 0, "OUT_OF_MEMORY", "", 0}, "1_0");
  EXPECT_EQ(oom.reason, "OutOfMemoryError: Container killed due to memory usage");
}

}  // namespace
}  // namespace nightshift::slurm
