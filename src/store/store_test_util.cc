#include "store/store_test_util.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>

namespace nightshift::store::testing {

std::unique_ptr<SqliteStore> OpenOrDie(const std::string& path, const SqliteStore::Options& options) {
  auto store = SqliteStore::Open(path, options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

TempDir::TempDir() {
  const char* base = getenv("TMPDIR");
  std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/nightshift-store-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp " << pattern << " failed";
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

core::Job MakeJob(const std::string& id, const std::string& queue, TimeMs created_at,
                  core::JobState state) {
  static const auto kSpec =
      std::make_shared<const core::JobSpec>(core::JobSpec{.command = {"/bin/true"}});
  core::Job job;
  job.id = id;
  job.name = "job-" + id;
  job.queue = queue;
  job.definition = "def:1";
  job.spec = kSpec;
  job.state = state;
  job.created_at = created_at;
  return job;
}

core::JobSpec FullSpec() {
  core::JobSpec spec;
  spec.command = {"/bin/sh", "-c", "echo Ref::greeting; exit 3", ""};
  spec.environment = {{"A", "1"}, {"EMPTY", ""}, {"UNICODE", "h\xC3\xA9llo \xE2\x9C\x93"}};
  spec.resources = {.vcpus = 0.25, .memory_mib = 2048};
  spec.timeout_seconds = 3600;
  spec.retry.attempts = 3;
  spec.retry.evaluate_on_exit = {
      {.action = core::RetryAction::kExit, .on_exit_code = "1*"},
      {.action = core::RetryAction::kRetry, .on_status_reason = "Host*", .on_reason = "Oom*"}};
  spec.retry.backoff = core::RetryBackoff{
      .delay_ms = 0, .factor = 1.5, .max_delay_ms = 600'000, .jitter = true};
  spec.image = "localhost/busybox:latest";
  spec.container.volumes = {{"data", "/srv/data"}, {"empty", ""}};
  spec.container.mount_points = {{"data", "/data", true}, {"empty", "/scratch", false}};
  spec.container.ulimits = {{"nofile", 1024, 4096}, {"core", 0, 0}};
  spec.container.readonly_root_filesystem = true;
  spec.container.privileged = true;
  spec.container.network = true;
  spec.container.working_dir = "/work";
  spec.working_dir = "/srv/etl";
  spec.user = "etl";
  spec.secrets = {{"DB_PASSWORD", "file:///etc/nightshift/secrets/db"}, {"TOKEN", "token"}};
  return spec;
}

core::Job FullJob() {
  core::Job job;
  job.id = "4b0c6f2e-8d1a-4a57-9b0e-3f6d2c1a9e77:12";
  job.name = "Nightly-ETL";
  job.queue = "high";
  job.definition = "etl:7";
  job.spec = std::make_shared<const core::JobSpec>(FullSpec());
  job.depends_on = {{.job_id = "a",
                     .type = core::DependencyType::kNToN,
                     .condition = core::DependencyCondition::kAfterAny},
                    {.job_id = "",
                     .type = core::DependencyType::kSequential,
                     .condition = core::DependencyCondition::kAfterCorr},
                    {.job_id = "b", .condition = core::DependencyCondition::kAfterNotOk}};
  job.array_size = 0;
  job.array_index = 12;
  job.parent_id = "4b0c6f2e-8d1a-4a57-9b0e-3f6d2c1a9e77";
  job.state = core::JobState::kRunning;
  job.status_reason = "Essential container in task exited";
  job.created_at = 1'700'000'000'123;
  job.started_at = 1'700'000'001'000;
  job.stopped_at = 1'700'000'009'000;
  core::Attempt first{.started_at = 1'700'000'001'000,
                      .stopped_at = 1'700'000'002'000,
                      .exit_code = -1,
                      .reason = "Terminated by signal 9",
                      .status_reason = std::string(300, 'x'),  // a nested field over 127 bytes
                      .log_stream_name = "etl/default/abc"};
  core::Attempt second{.started_at = 1'700'000'003'000, .reason = "still running"};
  job.attempts = {first, second};
  job.compute_environment = "local-ce";
  job.array_summary = {1, 0, 3, 0, 5, 60000, 7};
  job.is_cancelled = true;
  job.is_terminated = true;
  job.not_before = 1'700'000'010'000;
  job.share_identifier = "teamA";
  job.scheduling_priority = -5;
  job.parameters = {{"greeting", "hi"}, {"empty", ""}};
  job.tags = {{"owner", "ops"}, {std::string("nul\0key", 7), "v"}};
  job.extra_json = R"({"containerOverrides":{"command":["x"]},"propagateTags":true})";
  job.seq = 42;
  return job;
}

core::ComputeEnvironment FullComputeEnvironment() {
  core::ComputeEnvironment ce;
  ce.name = "local-ce";
  ce.arn = "arn:aws:batch:local:000000000000:compute-environment/local-ce";
  ce.type = "UNMANAGED";
  ce.enabled = false;
  ce.max_vcpus = 7.5;
  ce.max_memory_mib = 16384;
  ce.created_at = 1'700'000'000'000;
  ce.tags = {{"k", "v"}};
  ce.extra_json = R"({"serviceRole":"x"})";
  ce.executor = core::ExecutorKind::kSlurm;
  ce.slurm = {.partition = "debug", .account = "acct", .qos = "normal", .sbatch_args = {"--exclusive", "--nice=5"}};
  return ce;
}

core::JobQueue FullJobQueue() {
  core::JobQueue queue;
  queue.name = "high";
  queue.arn = "arn:aws:batch:local:000000000000:job-queue/high";
  queue.priority = 0;
  queue.enabled = false;
  queue.compute_environments = {"ce-b", "ce-a"};
  queue.scheduling_policy_arn = "arn:aws:batch:local:000000000000:scheduling-policy/fair";
  queue.created_at = 1'700'000'000'001;
  queue.tags = {{"team", "a"}};
  queue.extra_json = "{}";
  return queue;
}

core::JobDefinition FullJobDefinition() {
  core::JobDefinition definition;
  definition.name = "etl";
  definition.revision = 7;
  definition.arn = "arn:aws:batch:local:000000000000:job-definition/etl:7";
  definition.active = false;
  definition.type = "";
  definition.spec = FullSpec();
  definition.parameters = {{"greeting", "hello"}};
  definition.scheduling_priority = 9;
  definition.created_at = 1'700'000'000'002;
  definition.tags = {{"x", "y"}};
  definition.extra_json = R"({"containerProperties":{}})";
  return definition;
}

core::Schedule FullSchedule() {
  core::Schedule s;
  s.group = "etl";
  s.name = "nightly";
  s.arn = "arn:aws:scheduler:local:000000000000:schedule/etl/nightly";
  s.description = "runs the nightly ETL \xE2\x9C\x93";
  s.expression = "cron(30 2 * * ? *)";
  s.timezone = "Europe/Paris";
  s.dst = {.gap = schedule::GapPolicy::kSkip, .repeat = schedule::RepeatPolicy::kBoth};
  s.state = core::ScheduleState::kDisabled;
  s.state_note = "paused by ops for the migration";
  s.start_date = -1;  // before the epoch: negative times survive
  s.end_date = 1'800'000'000'000;
  s.flexible_window_minutes = 15;
  s.overlap = core::OverlapPolicy::kAllowAll;
  s.catch_up = core::CatchUpPolicy::kAll;
  s.catch_up_window_ms = 3'600'000;
  s.max_active_runs = 4;
  s.after_completion = core::AfterCompletion::kDelete;
  s.target = {.arn = std::string(core::kSubmitJobTargetArn),
              .role_arn = "arn:aws:iam::000000000000:role/scheduler",
              .input = R"({"JobName":"etl","JobQueue":"high","JobDefinition":"etl:7"})",
              .extra_json = R"({"RetryPolicy":{"MaximumRetryAttempts":2}})"};
  s.kms_key_arn = "arn:aws:kms:local:000000000000:key/1";
  s.created_at = 1'700'000'000'000;
  s.modified_at = 1'700'000'100'000;
  s.tags = {{"owner", "ops"}, {"empty", ""}};
  s.anchor = 1'700'000'000'500;
  s.cursor = 1'700'000'200'000;
  s.active_runs = {"job-b", "", "job-a"};  // order kept, empty strings kept
  s.buffered = {{.logical_time = 1'700'000'300'000, .trigger = core::FireTrigger::kManual},
                {.logical_time = -5, .trigger = core::FireTrigger::kBackfill},
                {.logical_time = 0},
                {.logical_time = 1'700'000'100'000}};  // order kept, not sorted
  return s;
}

core::Fire FullFire() {
  core::Fire fire;
  fire.schedule = "etl/nightly";
  fire.logical_time = 1'700'000'060'000;
  fire.trigger = core::FireTrigger::kBackfill;
  fire.due_time = 1'700'000'061'234;
  fire.decided_at = 1'700'000'000'000;  // before due: lateness is negative
  fire.outcome = core::FireOutcome::kMerged;
  fire.reason = "merged into the fire at 2023-11-14T22:15:00Z";
  fire.run_id = "4b0c6f2e-8d1a-4a57-9b0e-3f6d2c1a9e77";
  fire.count = 10'000;
  fire.last_logical_time = 1'700'600'000'000;
  return fire;
}

core::Fire MakeFire(const std::string& schedule, TimeMs logical_time, core::FireTrigger trigger,
                    const std::string& run_id) {
  core::Fire fire;
  fire.schedule = schedule;
  fire.logical_time = logical_time;
  fire.trigger = trigger;
  fire.due_time = logical_time;
  fire.run_id = run_id;
  return fire;
}

void ExpectSpecEq(const core::JobSpec& e, const core::JobSpec& a) {
  EXPECT_EQ(e.command, a.command);
  ASSERT_EQ(e.environment.size(), a.environment.size());
  for (size_t i = 0; i < e.environment.size(); ++i) {
    EXPECT_EQ(e.environment[i].name, a.environment[i].name);
    EXPECT_EQ(e.environment[i].value, a.environment[i].value);
  }
  EXPECT_EQ(e.resources.vcpus, a.resources.vcpus);
  EXPECT_EQ(e.resources.memory_mib, a.resources.memory_mib);
  EXPECT_EQ(e.timeout_seconds, a.timeout_seconds);
  EXPECT_EQ(e.retry.attempts, a.retry.attempts);
  ASSERT_EQ(e.retry.evaluate_on_exit.size(), a.retry.evaluate_on_exit.size());
  for (size_t i = 0; i < e.retry.evaluate_on_exit.size(); ++i) {
    const core::RetryRule& er = e.retry.evaluate_on_exit[i];
    const core::RetryRule& ar = a.retry.evaluate_on_exit[i];
    EXPECT_EQ(er.action, ar.action);
    EXPECT_EQ(er.on_status_reason, ar.on_status_reason);
    EXPECT_EQ(er.on_reason, ar.on_reason);
    EXPECT_EQ(er.on_exit_code, ar.on_exit_code);
  }
  EXPECT_EQ(e.retry.backoff, a.retry.backoff);
  EXPECT_EQ(e.image, a.image);
  EXPECT_EQ(e.container, a.container);
  EXPECT_EQ(e.working_dir, a.working_dir);
  EXPECT_EQ(e.user, a.user);
  EXPECT_EQ(e.secrets, a.secrets);
}

namespace {

void ExpectAttemptsEq(const std::vector<core::Attempt>& e, const std::vector<core::Attempt>& a) {
  ASSERT_EQ(e.size(), a.size());
  for (size_t i = 0; i < e.size(); ++i) {
    EXPECT_EQ(e[i].started_at, a[i].started_at);
    EXPECT_EQ(e[i].stopped_at, a[i].stopped_at);
    EXPECT_EQ(e[i].exit_code, a[i].exit_code);
    EXPECT_EQ(e[i].reason, a[i].reason);
    EXPECT_EQ(e[i].status_reason, a[i].status_reason);
    EXPECT_EQ(e[i].log_stream_name, a[i].log_stream_name);
  }
}

void ExpectDependenciesEq(const std::vector<core::Dependency>& e,
                          const std::vector<core::Dependency>& a) {
  ASSERT_EQ(e.size(), a.size());
  for (size_t i = 0; i < e.size(); ++i) {
    EXPECT_EQ(e[i].job_id, a[i].job_id);
    EXPECT_EQ(e[i].type, a[i].type);
    EXPECT_EQ(e[i].condition, a[i].condition);
  }
}

}  // namespace

void ExpectJobEq(const core::Job& e, const core::Job& a) {
  EXPECT_EQ(e.id, a.id);
  EXPECT_EQ(e.name, a.name);
  EXPECT_EQ(e.queue, a.queue);
  EXPECT_EQ(e.definition, a.definition);
  ASSERT_EQ(e.spec == nullptr, a.spec == nullptr) << "job " << e.id;
  if (e.spec) ExpectSpecEq(*e.spec, *a.spec);
  ExpectDependenciesEq(e.depends_on, a.depends_on);
  EXPECT_EQ(e.array_size, a.array_size);
  EXPECT_EQ(e.array_index, a.array_index);
  EXPECT_EQ(e.parent_id, a.parent_id);
  EXPECT_EQ(e.state, a.state);
  EXPECT_EQ(e.status_reason, a.status_reason);
  EXPECT_EQ(e.created_at, a.created_at);
  EXPECT_EQ(e.started_at, a.started_at);
  EXPECT_EQ(e.stopped_at, a.stopped_at);
  ExpectAttemptsEq(e.attempts, a.attempts);
  EXPECT_EQ(e.compute_environment, a.compute_environment);
  EXPECT_EQ(e.array_summary, a.array_summary);
  EXPECT_EQ(e.is_cancelled, a.is_cancelled);
  EXPECT_EQ(e.is_terminated, a.is_terminated);
  EXPECT_EQ(e.not_before, a.not_before);
  EXPECT_EQ(e.share_identifier, a.share_identifier);
  EXPECT_EQ(e.scheduling_priority, a.scheduling_priority);
  EXPECT_EQ(e.parameters, a.parameters);
  EXPECT_EQ(e.tags, a.tags);
  EXPECT_EQ(e.extra_json, a.extra_json);
  EXPECT_EQ(e.seq, a.seq);
}

void ExpectComputeEnvironmentEq(const core::ComputeEnvironment& e,
                                const core::ComputeEnvironment& a) {
  EXPECT_EQ(e.name, a.name);
  EXPECT_EQ(e.arn, a.arn);
  EXPECT_EQ(e.type, a.type);
  EXPECT_EQ(e.enabled, a.enabled);
  EXPECT_EQ(e.executor, a.executor);
  EXPECT_EQ(e.max_vcpus, a.max_vcpus);
  EXPECT_EQ(e.max_memory_mib, a.max_memory_mib);
  EXPECT_EQ(e.created_at, a.created_at);
  EXPECT_EQ(e.tags, a.tags);
  EXPECT_EQ(e.extra_json, a.extra_json);
  EXPECT_EQ(e.slurm, a.slurm);
}

void ExpectJobQueueEq(const core::JobQueue& e, const core::JobQueue& a) {
  EXPECT_EQ(e.name, a.name);
  EXPECT_EQ(e.arn, a.arn);
  EXPECT_EQ(e.priority, a.priority);
  EXPECT_EQ(e.enabled, a.enabled);
  EXPECT_EQ(e.compute_environments, a.compute_environments);
  EXPECT_EQ(e.scheduling_policy_arn, a.scheduling_policy_arn);
  EXPECT_EQ(e.created_at, a.created_at);
  EXPECT_EQ(e.tags, a.tags);
  EXPECT_EQ(e.extra_json, a.extra_json);
}

void ExpectJobDefinitionEq(const core::JobDefinition& e, const core::JobDefinition& a) {
  EXPECT_EQ(e.name, a.name);
  EXPECT_EQ(e.revision, a.revision);
  EXPECT_EQ(e.arn, a.arn);
  EXPECT_EQ(e.active, a.active);
  EXPECT_EQ(e.type, a.type);
  ExpectSpecEq(e.spec, a.spec);
  EXPECT_EQ(e.parameters, a.parameters);
  EXPECT_EQ(e.scheduling_priority, a.scheduling_priority);
  EXPECT_EQ(e.created_at, a.created_at);
  EXPECT_EQ(e.tags, a.tags);
  EXPECT_EQ(e.extra_json, a.extra_json);
}

void ExpectScheduleEq(const core::Schedule& e, const core::Schedule& a) {
  EXPECT_EQ(e.group, a.group);
  EXPECT_EQ(e.name, a.name);
  EXPECT_EQ(e.arn, a.arn);
  EXPECT_EQ(e.description, a.description);
  EXPECT_EQ(e.expression, a.expression);
  EXPECT_EQ(e.timezone, a.timezone);
  EXPECT_EQ(e.dst.gap, a.dst.gap);
  EXPECT_EQ(e.dst.repeat, a.dst.repeat);
  EXPECT_EQ(e.state, a.state);
  EXPECT_EQ(e.state_note, a.state_note);
  EXPECT_EQ(e.start_date, a.start_date);
  EXPECT_EQ(e.end_date, a.end_date);
  EXPECT_EQ(e.flexible_window_minutes, a.flexible_window_minutes);
  EXPECT_EQ(e.overlap, a.overlap);
  EXPECT_EQ(e.catch_up, a.catch_up);
  EXPECT_EQ(e.catch_up_window_ms, a.catch_up_window_ms);
  EXPECT_EQ(e.max_active_runs, a.max_active_runs);
  EXPECT_EQ(e.after_completion, a.after_completion);
  EXPECT_EQ(e.target.arn, a.target.arn);
  EXPECT_EQ(e.target.role_arn, a.target.role_arn);
  EXPECT_EQ(e.target.input, a.target.input);
  EXPECT_EQ(e.target.extra_json, a.target.extra_json);
  EXPECT_EQ(e.kms_key_arn, a.kms_key_arn);
  EXPECT_EQ(e.created_at, a.created_at);
  EXPECT_EQ(e.modified_at, a.modified_at);
  EXPECT_EQ(e.tags, a.tags);
  EXPECT_EQ(e.anchor, a.anchor);
  EXPECT_EQ(e.cursor, a.cursor);
  EXPECT_EQ(e.active_runs, a.active_runs);
  ASSERT_EQ(e.buffered.size(), a.buffered.size());
  for (size_t i = 0; i < e.buffered.size(); ++i) {
    EXPECT_EQ(e.buffered[i].logical_time, a.buffered[i].logical_time) << "buffered " << i;
    EXPECT_EQ(e.buffered[i].trigger, a.buffered[i].trigger) << "buffered " << i;
  }
}

void ExpectFireEq(const core::Fire& e, const core::Fire& a) {
  EXPECT_EQ(e.schedule, a.schedule);
  EXPECT_EQ(e.logical_time, a.logical_time);
  EXPECT_EQ(e.trigger, a.trigger);
  EXPECT_EQ(e.due_time, a.due_time);
  EXPECT_EQ(e.decided_at, a.decided_at);
  EXPECT_EQ(e.outcome, a.outcome);
  EXPECT_EQ(e.reason, a.reason);
  EXPECT_EQ(e.run_id, a.run_id);
  EXPECT_EQ(e.count, a.count);
  EXPECT_EQ(e.last_logical_time, a.last_logical_time);
}

}  // namespace nightshift::store::testing
