#include "core/scheduler.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "schedule/timetable.h"

namespace nightshift::core {
namespace {

constexpr TimeMs kT0 = 1'700'000'000'000;

AttemptOutcome Exit(int code) {
  AttemptOutcome o;
  o.kind = AttemptOutcome::Kind::kExited;
  o.exit_code = code;
  return o;
}

struct SubmitOptions {
  std::vector<Dependency> deps;
  int array_size = 0;
  double vcpus = 1;
  int attempts = 1;
  std::vector<RetryRule> rules;
  std::optional<int64_t> timeout;
  std::string queue = "q";
  std::optional<RetryBackoff> backoff;
};

class SchedulerTest : public ::testing::Test {
 protected:
  SchedulerTest() {
    AddComputeEnvironment("ce", 2);
    AddQueue("q", 1, {"ce"});
  }

  void AddComputeEnvironment(const std::string& name, double vcpus, int64_t memory = 0) {
    ComputeEnvironment ce;
    ce.name = name;
    ce.max_vcpus = vcpus;
    ce.max_memory_mib = memory;
    s_.SetComputeEnvironment(ce);
  }

  void AddQueue(const std::string& name, int priority, std::vector<std::string> ces) {
    JobQueue q;
    q.name = name;
    q.priority = priority;
    q.compute_environments = std::move(ces);
    s_.SetJobQueue(q);
  }


  std::string Submit(const std::string& id, SubmitOptions o = {}) {
    auto spec = std::make_shared<JobSpec>();
    spec->command = {"true"};
    spec->resources.vcpus = o.vcpus;
    spec->retry.attempts = o.attempts;
    spec->retry.evaluate_on_exit = o.rules;
    spec->retry.backoff = o.backoff;
    spec->timeout_seconds = o.timeout;
    Job job;
    job.id = id;
    job.name = "name-" + id;
    job.queue = o.queue;
    job.spec = spec;
    job.depends_on = o.deps;
    job.array_size = o.array_size;
    job.seq = ++seq_;
    job.created_at = now_;
    Status st = s_.Validate(job, finished_);
    EXPECT_TRUE(st.ok()) << st.ToString();
    s_.Submit(std::move(job), finished_, now_);
    return id;
  }

  // Dispatches and launches everything that fits; returns the placed job ids.
  std::vector<std::string> StartReady() {
    std::vector<std::string> ids;
    for (const Placement& p : s_.Dispatch(now_)) {
      s_.OnLaunched(p.job_id, p.attempt, now_);
      ids.push_back(p.job_id);
    }
    return ids;
  }

  void Finish(const std::string& id, int code) {
    const Job* job = s_.Find(id);
    ASSERT_NE(job, nullptr) << id;
    s_.OnExited(id, static_cast<int>(job->attempts.size()), Exit(code), now_);
  }

  // The state of a job, also after the scheduler has forgotten it (terminal).
  JobState StateOf(const std::string& id) {
    Flush();
    if (const Job* j = s_.Find(id)) return j->state;
    return finished_jobs_.at(id).state;
  }
  const Job& JobOf(const std::string& id) {
    Flush();
    if (const Job* j = s_.Find(id)) return *j;
    return finished_jobs_.at(id);
  }
  void Flush() {
    for (Job& j : s_.TakeChangedJobs()) {
      if (IsTerminal(j.state)) {
        finished_[j.id] = j.state;
        finished_jobs_[j.id] = j;
      }
    }
  }

  Scheduler s_;
  TimeMs now_ = kT0;
  uint64_t seq_ = 0;
  FinishedStates finished_;
  std::map<std::string, Job> finished_jobs_;
};

TEST_F(SchedulerTest, JobWithoutDependenciesBecomesRunnableThenSucceeds) {
  Submit("a");
  EXPECT_EQ(StateOf("a"), JobState::kRunnable);
  EXPECT_EQ(StartReady(), std::vector<std::string>{"a"});
  EXPECT_EQ(StateOf("a"), JobState::kRunning);
  Finish("a", 0);
  EXPECT_EQ(StateOf("a"), JobState::kSucceeded);
  EXPECT_EQ(JobOf("a").attempts.size(), 1u);
  EXPECT_EQ(JobOf("a").attempts[0].exit_code, 0);
}

TEST_F(SchedulerTest, DependentStartsOnlyAfterParentSucceeds) {
  Submit("a");
  Submit("b", {.deps = {{"a"}}});
  EXPECT_EQ(StateOf("b"), JobState::kPending);
  EXPECT_NE(s_.Explain(JobOf("b"), now_).find("name-a"), std::string::npos);
  EXPECT_EQ(StartReady(), std::vector<std::string>{"a"});
  Finish("a", 0);
  EXPECT_EQ(StateOf("b"), JobState::kRunnable);
  EXPECT_EQ(StartReady(), std::vector<std::string>{"b"});
}

TEST_F(SchedulerTest, FailureCascadesThroughTheChainNamingTheParent) {
  Submit("a");
  Submit("b", {.deps = {{"a"}}});
  Submit("c", {.deps = {{"b"}}});
  StartReady();
  Finish("a", 3);
  EXPECT_EQ(StateOf("a"), JobState::kFailed);
  EXPECT_EQ(StateOf("b"), JobState::kFailed);
  EXPECT_EQ(StateOf("c"), JobState::kFailed);
  EXPECT_NE(JobOf("b").status_reason.find("job a"), std::string::npos) << JobOf("b").status_reason;
  EXPECT_NE(JobOf("c").status_reason.find("job b"), std::string::npos);
}

TEST_F(SchedulerTest, DependencyOnAlreadyFailedJobFailsAtSubmit) {
  finished_["gone"] = JobState::kFailed;
  Submit("b", {.deps = {{"gone"}}});
  EXPECT_EQ(StateOf("b"), JobState::kFailed);
}

TEST_F(SchedulerTest, AfterAnyAndAfterNotOkConditions) {
  Submit("a");
  Submit("any", {.deps = {{"a", DependencyType::kStandard, DependencyCondition::kAfterAny}}});
  Submit("notok", {.deps = {{"a", DependencyType::kStandard, DependencyCondition::kAfterNotOk}}});
  StartReady();
  Finish("a", 1);
  EXPECT_EQ(StateOf("any"), JobState::kRunnable);
  EXPECT_EQ(StateOf("notok"), JobState::kRunnable);
}

TEST_F(SchedulerTest, AfterNotOkFailsWhenParentSucceeds) {
  Submit("a");
  Submit("notok", {.deps = {{"a", DependencyType::kStandard, DependencyCondition::kAfterNotOk}}});
  StartReady();
  Finish("a", 0);
  EXPECT_EQ(StateOf("notok"), JobState::kFailed);
}

TEST_F(SchedulerTest, ValidateRejectsUnknownAndSelfDependencies) {
  Job job;
  job.id = "x";
  job.queue = "q";
  job.spec = std::make_shared<JobSpec>();
  job.depends_on = {{"nope"}};
  EXPECT_EQ(s_.Validate(job, finished_).code(), StatusCode::kInvalidArgument);
  job.depends_on = {{"x"}};
  EXPECT_EQ(s_.Validate(job, finished_).code(), StatusCode::kInvalidArgument);
  job.depends_on = {};
  job.queue = "missing";
  EXPECT_EQ(s_.Validate(job, finished_).code(), StatusCode::kNotFound);
}

TEST_F(SchedulerTest, RetriesOnMatchingExitCodeAndStopsOnExitRule) {
  Submit("r", {.attempts = 3, .rules = {{RetryAction::kRetry, "", "", "42"},
                                        {RetryAction::kExit, "", "", "*"}}});
  StartReady();
  Finish("r", 42);
  EXPECT_EQ(StateOf("r"), JobState::kRunnable);
  StartReady();
  Finish("r", 1);
  EXPECT_EQ(StateOf("r"), JobState::kFailed);
  EXPECT_EQ(JobOf("r").attempts.size(), 2u);
}

TEST_F(SchedulerTest, RetriesUntilAttemptsAreSpent) {
  Submit("r", {.attempts = 2});
  StartReady();
  Finish("r", 1);
  StartReady();
  Finish("r", 1);
  EXPECT_EQ(StateOf("r"), JobState::kFailed);
  EXPECT_EQ(JobOf("r").attempts.size(), 2u);
}

TEST_F(SchedulerTest, RetryBackoffHoldsTheRetryUntilItsTimeAndGrows) {
  Submit("b", {.attempts = 3,
               .backoff = RetryBackoff{.delay_ms = 10'000, .factor = 3, .max_delay_ms = 0}});
  StartReady();
  Finish("b", 1);
  EXPECT_EQ(StateOf("b"), JobState::kRunnable);
  EXPECT_NE(JobOf("b").status_reason.find("backoff until " +
                                          schedule::FormatRfc3339(now_ + 10'000,
                                                                  schedule::Zone::Utc())),
            std::string::npos)
      << JobOf("b").status_reason;
  EXPECT_EQ(s_.NextWakeup(), now_ + 10'000);
  now_ += 9'999;
  s_.Tick(now_);
  EXPECT_TRUE(StartReady().empty());
  EXPECT_NE(s_.Explain(JobOf("b"), now_).find("Retry backoff until"), std::string::npos);
  now_ += 1;
  s_.Tick(now_);
  EXPECT_EQ(StartReady(), std::vector<std::string>{"b"});
  Finish("b", 1);
  EXPECT_EQ(s_.NextWakeup(), now_ + 30'000);  // delay * factor
}

// The text of the facts of `kind` in Why(job).
std::vector<std::string> FactsOf(const Explanation& e, Fact::Kind kind) {
  std::vector<std::string> out;
  for (const Fact& f : e.facts) {
    if (f.kind == kind) out.push_back(f.text);
  }
  return out;
}

TEST_F(SchedulerTest, WhyAPendingJobNamesEachDependencyAndWhatItMustDo) {
  Submit("a");
  Submit("b");
  Submit("c", {.deps = {{"a", DependencyType::kStandard, DependencyCondition::kAfterOk},
                        {"b", DependencyType::kStandard, DependencyCondition::kAfterNotOk}}});
  Explanation why = s_.Why(JobOf("c"), now_);
  EXPECT_EQ(why.summary, "Waiting for job a (name-a), which is RUNNABLE (and 1 more dependency)");
  EXPECT_EQ(FactsOf(why, Fact::Kind::kDependency),
            (std::vector<std::string>{"job a (name-a) is RUNNABLE; it must succeed",
                                      "job b (name-b) is RUNNABLE; it must fail"}));
  EXPECT_EQ(JobOf("c").status_reason, why.summary);
}

TEST_F(SchedulerTest, WhyARunnableJobGivesCapacityInNumbersAndItsPlaceInTheQueue) {
  Submit("x");
  Submit("y");
  StartReady();  // both vCPUs of "ce" in use
  Submit("first");
  Submit("second");
  Explanation why = s_.Why(JobOf("second"), now_);
  EXPECT_EQ(why.summary,
            "Waiting for capacity: needs 1 vCPU; compute environment ce has 0 of 2 vCPU free");
  EXPECT_EQ(FactsOf(why, Fact::Kind::kCapacity),
            std::vector<std::string>{
                "compute environment ce: 2 of 2 vCPU in use by 2 jobs; this job needs 1 vCPU"});
  EXPECT_EQ(FactsOf(why, Fact::Kind::kQueue),
            std::vector<std::string>{"1 job ahead of it in queue q (first in, first out)"});
}

TEST_F(SchedulerTest, WhyNamesADisabledComputeEnvironmentAndHigherPriorityQueues) {
  AddComputeEnvironment("off", 4);
  ComputeEnvironment off = s_.compute_environments().at("off");
  off.enabled = false;
  s_.SetComputeEnvironment(off);
  AddQueue("low", 1, {"off"});
  AddQueue("high", 5, {"off"});
  Submit("urgent", {.queue = "high"});
  Submit("later", {.queue = "low"});
  Explanation why = s_.Why(JobOf("later"), now_);
  EXPECT_NE(why.summary.find("compute environment off is DISABLED"), std::string::npos);
  EXPECT_EQ(FactsOf(why, Fact::Kind::kComputeEnvironment),
            std::vector<std::string>{"compute environment off is DISABLED: it starts no jobs"});
  EXPECT_EQ(FactsOf(why, Fact::Kind::kQueue),
            std::vector<std::string>{"queue high (priority 5) goes first: 1 runnable job"});
}

TEST_F(SchedulerTest, WhyARunningJobSaysSinceWhenAndWhenItTimesOut) {
  Submit("t", {.attempts = 2, .timeout = 60});
  StartReady();
  Explanation why = s_.Why(JobOf("t"), now_);
  EXPECT_EQ(why.summary, "Running attempt 1 of 2 on compute environment ce since " +
                             schedule::FormatRfc3339(now_, schedule::Zone::Utc()));
  EXPECT_EQ(FactsOf(why, Fact::Kind::kTimeout),
            std::vector<std::string>{"times out at " + schedule::FormatRfc3339(
                                                           now_ + 60'000, schedule::Zone::Utc())});
}

TEST_F(SchedulerTest, TimeoutKillsTheAttemptAndDoesNotRetry) {
  Submit("t", {.attempts = 3, .timeout = 60});
  StartReady();
  EXPECT_EQ(s_.NextWakeup(), kT0 + 60'000);
  now_ += 60'000;
  s_.Tick(now_);
  auto kills = s_.TakeKills();
  ASSERT_EQ(kills.size(), 1u);
  EXPECT_EQ(kills[0].job_id, "t");
  AttemptOutcome killed;
  killed.kind = AttemptOutcome::Kind::kSignaled;
  killed.signal = 15;
  s_.OnExited("t", 1, killed, now_);
  EXPECT_EQ(StateOf("t"), JobState::kFailed);
  EXPECT_EQ(JobOf("t").status_reason, kReasonTimeout);
  EXPECT_EQ(JobOf("t").attempts[0].exit_code, 143);
}

TEST_F(SchedulerTest, CancelFailsWaitingJobsButNotRunningOnes) {
  Submit("run");
  StartReady();
  Submit("wait", {.deps = {{"run"}}});
  ASSERT_TRUE(s_.Cancel("run", "user said so", now_).ok());
  EXPECT_EQ(StateOf("run"), JobState::kRunning);
  ASSERT_TRUE(s_.Cancel("wait", "user said so", now_).ok());
  EXPECT_EQ(StateOf("wait"), JobState::kFailed);
  EXPECT_TRUE(JobOf("wait").is_cancelled);
  EXPECT_EQ(JobOf("wait").status_reason, "user said so");
}

TEST_F(SchedulerTest, TerminateKillsRunningJobAndItEndsFailedWithoutRetry) {
  Submit("run", {.attempts = 3});
  StartReady();
  ASSERT_TRUE(s_.Terminate("run", "stop it", now_).ok());
  auto kills = s_.TakeKills();
  ASSERT_EQ(kills.size(), 1u);
  Finish("run", 143);
  EXPECT_EQ(StateOf("run"), JobState::kFailed);
  EXPECT_EQ(JobOf("run").status_reason, "stop it");
  EXPECT_TRUE(JobOf("run").is_terminated);
}

TEST_F(SchedulerTest, CapacityLimitsConcurrencyAndFifoOrder) {
  for (const char* id : {"a", "b", "c"}) Submit(id);
  EXPECT_EQ(StartReady(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(StateOf("c"), JobState::kRunnable);
  EXPECT_NE(s_.Explain(JobOf("c"), now_).find("0 of 2 vCPU free"), std::string::npos)
      << s_.Explain(JobOf("c"), now_);
  Finish("b", 0);
  EXPECT_EQ(StartReady(), std::vector<std::string>{"c"});
}

TEST_F(SchedulerTest, JobThatCanNeverFitFailsAtOnceWithReason) {
  Submit("big", {.vcpus = 4});
  EXPECT_EQ(StateOf("big"), JobState::kFailed);
  EXPECT_NE(JobOf("big").status_reason.find("needs 4 vCPU"), std::string::npos)
      << JobOf("big").status_reason;
}

TEST_F(SchedulerTest, HigherPriorityQueueIsServedFirstAndReservesCapacity) {
  AddQueue("hi", 10, {"ce"});
  Submit("low1");
  Submit("low2");
  Submit("hi-big", {.vcpus = 2, .queue = "hi"});
  EXPECT_EQ(StartReady(), std::vector<std::string>{"hi-big"});
  Finish("hi-big", 0);
  Submit("hi-big2", {.vcpus = 2, .queue = "hi"});
  EXPECT_EQ(StartReady(), std::vector<std::string>{"hi-big2"});
  Finish("hi-big2", 0);
  EXPECT_EQ(StartReady(), (std::vector<std::string>{"low1", "low2"}));
}

TEST_F(SchedulerTest, BlockedHeadOfHigherQueueIsNotStarvedByLowerQueue) {
  AddQueue("hi", 10, {"ce"});
  Submit("low-running");
  StartReady();
  Submit("hi-big", {.vcpus = 2, .queue = "hi"});
  Submit("low-next");
  // One vCPU is free, but it is held for hi-big.
  EXPECT_TRUE(StartReady().empty());
  Finish("low-running", 0);
  EXPECT_EQ(StartReady(), std::vector<std::string>{"hi-big"});
}

TEST_F(SchedulerTest, ArrayParentExpandsChildrenAndSummarises) {
  Submit("arr", {.array_size = 3});
  EXPECT_EQ(StateOf("arr"), JobState::kPending);
  EXPECT_EQ(StateOf("arr:0"), JobState::kRunnable);
  auto started = StartReady();
  EXPECT_EQ(started.size(), 2u);
  EXPECT_EQ(StateOf("arr"), JobState::kRunning);
  Finish("arr:0", 0);
  Finish("arr:1", 0);
  StartReady();
  const StatusSummary& summary = JobOf("arr").array_summary;
  EXPECT_EQ(summary[static_cast<size_t>(JobState::kSucceeded)], 2);
  EXPECT_EQ(summary[static_cast<size_t>(JobState::kRunning)], 1);
  Finish("arr:2", 0);
  EXPECT_EQ(StateOf("arr"), JobState::kSucceeded);
}

TEST_F(SchedulerTest, ArrayParentFailsWhenAnyChildFails) {
  Submit("arr", {.array_size = 2});
  StartReady();
  Finish("arr:0", 0);
  Finish("arr:1", 5);
  EXPECT_EQ(StateOf("arr"), JobState::kFailed);
  EXPECT_NE(JobOf("arr").status_reason.find("1 of 2"), std::string::npos);
}

TEST_F(SchedulerTest, SequentialArrayRunsChildrenOneAfterAnother) {
  Submit("seq", {.deps = {{"", DependencyType::kSequential}}, .array_size = 3});
  EXPECT_EQ(StartReady(), std::vector<std::string>{"seq:0"});
  Finish("seq:0", 0);
  EXPECT_EQ(StartReady(), std::vector<std::string>{"seq:1"});
  Finish("seq:1", 1);
  EXPECT_EQ(StateOf("seq:2"), JobState::kFailed);
  EXPECT_EQ(StateOf("seq"), JobState::kFailed);
}

TEST_F(SchedulerTest, NToNChildWaitsOnlyForItsPartner) {
  Submit("a", {.array_size = 2});
  Submit("b", {.deps = {{"a", DependencyType::kNToN}}, .array_size = 2});
  StartReady();  // a:0, a:1
  Finish("a:1", 0);
  EXPECT_EQ(StateOf("b:1"), JobState::kRunnable);
  EXPECT_EQ(StateOf("b:0"), JobState::kPending);
  Finish("a:0", 2);
  EXPECT_EQ(StateOf("b:0"), JobState::kFailed);
  EXPECT_EQ(StateOf("b:1"), JobState::kRunnable);
}

TEST_F(SchedulerTest, NToNOntoAFinishedArrayUsesItsChildrensStates) {
  finished_["done"] = JobState::kFailed;
  finished_["done:0"] = JobState::kSucceeded;
  finished_["done:1"] = JobState::kFailed;
  auto spec = std::make_shared<JobSpec>();
  Job job;
  job.id = "b";
  job.queue = "q";
  job.spec = spec;
  job.array_size = 2;
  job.depends_on = {{"done", DependencyType::kNToN}};
  EXPECT_EQ(s_.Validate(job, finished_).code(), StatusCode::kInvalidArgument);  // size unknown
  EXPECT_EQ(s_.Validate(job, finished_, {{"done", 3}}).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(s_.Validate(job, finished_, {{"done", 2}}).ok());
  job.seq = ++seq_;
  s_.Submit(job, finished_, now_);
  EXPECT_EQ(StateOf("b:0"), JobState::kRunnable);
  EXPECT_EQ(StateOf("b:1"), JobState::kFailed);
}

TEST_F(SchedulerTest, StandardDependencyOnArrayWaitsForWholeArray) {
  Submit("a", {.array_size = 2});
  Submit("after", {.deps = {{"a"}}});
  StartReady();
  Finish("a:0", 0);
  EXPECT_EQ(StateOf("after"), JobState::kPending);
  Finish("a:1", 0);
  EXPECT_EQ(StateOf("after"), JobState::kRunnable);
}

TEST_F(SchedulerTest, CancellingArrayParentCancelsWaitingChildren) {
  Submit("arr", {.array_size = 4});
  StartReady();  // two children run
  ASSERT_TRUE(s_.Cancel("arr", "no more", now_).ok());
  EXPECT_EQ(StateOf("arr:2"), JobState::kFailed);
  EXPECT_EQ(StateOf("arr:0"), JobState::kRunning);
  Finish("arr:0", 0);
  Finish("arr:1", 0);
  EXPECT_EQ(StateOf("arr"), JobState::kFailed);
}

TEST_F(SchedulerTest, LongChainFailureCascadesWithoutRecursion) {
  Submit("j0");
  for (int i = 1; i < 20000; ++i) {
    Submit("j" + std::to_string(i), {.deps = {{"j" + std::to_string(i - 1)}}});
  }
  StartReady();
  Finish("j0", 1);
  EXPECT_EQ(StateOf("j19999"), JobState::kFailed);
  EXPECT_EQ(s_.active_count(), 0u);
}

TEST_F(SchedulerTest, RestoreKeepsRunningJobsCapacityAndResolvesFinishedDependencies) {
  Submit("a");
  Submit("b");
  StartReady();
  Submit("c", {.deps = {{"a"}}});
  Flush();
  std::vector<Job> active = {*s_.Find("a"), *s_.Find("b"), *s_.Find("c")};

  Scheduler restarted;
  ComputeEnvironment ce;
  ce.name = "ce";
  ce.max_vcpus = 2;
  restarted.SetComputeEnvironment(ce);
  JobQueue q;
  q.name = "q";
  q.compute_environments = {"ce"};
  restarted.SetJobQueue(q);
  restarted.Restore(active, {}, now_);
  EXPECT_EQ(restarted.UsedVcpus("ce"), 2);
  EXPECT_EQ(restarted.Find("c")->state, JobState::kPending);
  restarted.OnExited("a", 1, Exit(0), now_);
  EXPECT_EQ(restarted.Find("c")->state, JobState::kRunnable);
  restarted.OnNeverStarted("b", 1, now_);
  EXPECT_EQ(restarted.Find("b")->state, JobState::kRunnable);
  EXPECT_TRUE(restarted.Find("b")->attempts.empty());
  EXPECT_EQ(restarted.Dispatch(now_).size(), 2u);
}

TEST_F(SchedulerTest, SpawnFailureIsAFailedAttemptWithReason) {
  Submit("x");
  StartReady();
  AttemptOutcome o;
  o.kind = AttemptOutcome::Kind::kSpawnFailed;
  o.message = "exec nope: No such file or directory";
  s_.OnExited("x", 1, o, now_);
  EXPECT_EQ(StateOf("x"), JobState::kFailed);
  EXPECT_NE(JobOf("x").attempts[0].reason.find("No such file"), std::string::npos);
}

}  // namespace
}  // namespace nightshift::core
