#include <utility>  // Boost 1.74's asio needs std::exchange declared first under GCC 12.

#include "engine/engine.h"

#include <gtest/gtest.h>

#include <set>

#include "engine/engine_test_fixture.h"

namespace nightshift::engine {
namespace {

TEST_F(EngineTest, FirstStartCreatesDefaultComputeEnvironmentAndQueue) {
  ASSERT_NE(engine_->FindComputeEnvironment("default"), nullptr);
  EXPECT_EQ(engine_->FindComputeEnvironment("default")->max_vcpus, 2);
  ASSERT_NE(engine_->FindJobQueue("default"), nullptr);
  auto snapshot = store_->Load();
  ASSERT_TRUE(snapshot.ok());
  EXPECT_EQ(snapshot->job_queues.size(), 1u);
}

TEST_F(EngineTest, JobIsCommittedAsStartingBeforeItsProcessIsLaunched) {
  RegisterDefinition();
  std::vector<core::JobState> at_launch;
  executor_->set_before_launch([&](const exec::LaunchRequest& r) { at_launch.push_back(StoredState(r.key.job_id)); });
  Submit("a");
  Drain();
  ASSERT_EQ(at_launch.size(), 1u);
  EXPECT_EQ(at_launch[0], core::JobState::kStarting);
}

TEST_F(EngineTest, NothingIsLaunchedWhileItsBatchIsWithTheWriter) {
  RegisterDefinition();
  Drain();
  flaky_->HoldCommits();
  Submit("a");
  io_->restart();
  io_->poll();  // the turn hands its batch (the job STARTING) to the writer
  ASSERT_TRUE(flaky_->WaitForHeldCommit());
  io_->restart();
  io_->poll();
  EXPECT_TRUE(executor_->launched().empty());
  EXPECT_FALSE(engine_->Settled());
  flaky_->ReleaseCommits();
  Drain();
  EXPECT_EQ(executor_->launched().size(), 1u);
}

TEST_F(EngineTest, AJobThatEndedIsServedFromMemoryUntilItsBatchIsCommitted) {
  RegisterDefinition();
  std::string a = Submit("a");
  Drain();
  ASSERT_EQ(executor_->launched().size(), 1u);
  flaky_->HoldCommits();
  executor_->Exit({a, 1}, 0);
  ASSERT_TRUE(RunUntilCommitHeld());
  // No longer in the scheduler, not yet in the store: the engine still knows it.
  EXPECT_NE(StoredState(a), core::JobState::kSucceeded);
  Result<std::optional<core::Job>> during = engine_->GetJob(a);
  ASSERT_TRUE(during.ok() && during->has_value());
  EXPECT_EQ((*during)->state, core::JobState::kSucceeded);
  // A listing of the states the store still has leaves it out; one of its state now, or of any
  // state, shows it ended.
  store::JobQuery query{.queue = "default", .states = {core::JobState::kStarting, core::JobState::kRunning}};
  Result<store::JobPage> running = engine_->ListJobs(query);
  ASSERT_TRUE(running.ok());
  EXPECT_TRUE(running->jobs.empty());
  query.states = {core::JobState::kSucceeded};
  Result<store::JobPage> succeeded = engine_->ListJobs(query);
  ASSERT_TRUE(succeeded.ok() && succeeded->jobs.size() == 1);
  EXPECT_EQ(succeeded->jobs[0].id, a);
  query.states.clear();
  Result<store::JobPage> all = engine_->ListJobs(query);
  ASSERT_TRUE(all.ok() && all->jobs.size() == 1);
  EXPECT_EQ(all->jobs[0].state, core::JobState::kSucceeded);
  // A turn meanwhile keeps its changes for the next batch.
  std::string b = Submit("b");
  io_->restart();
  io_->poll();
  flaky_->ReleaseCommits();
  Drain();
  EXPECT_EQ(StoredState(a), core::JobState::kSucceeded);
  EXPECT_EQ(StoredState(b), core::JobState::kStarting);
  Result<std::optional<core::Job>> after = engine_->GetJob(a);
  ASSERT_TRUE(after.ok() && after->has_value());
  EXPECT_EQ((*after)->state, core::JobState::kSucceeded);
}

// An executor that records its launches (the local one, in its supervisor's journal) gets a
// dependent at once, while the batch that starts it is still with the writer; a job whose
// submission is not committed yet still waits for that commit.
TEST_F(EngineTest, AnExecutorThatRecordsLaunchesStartsACommittedJobBeforeItsStartIsCommitted) {
  records_launches_ = true;
  OpenAndStart();
  RegisterDefinition();
  std::string a = Submit("a");
  std::string b = Submit("b", {{a}});
  Drain();
  ASSERT_EQ(executor_->launched().size(), 1u);
  flaky_->HoldCommits();
  executor_->Exit({a, 1}, 0);
  ASSERT_TRUE(RunUntil([&] { return executor_->launched().size() == 2; }));
  EXPECT_EQ(executor_->launched()[1].key, (exec::AttemptKey{b, 1}));
  EXPECT_NE(StoredState(b), core::JobState::kStarting);  // its batch is not committed
  EXPECT_NE(StoredState(a), core::JobState::kSucceeded);
  flaky_->ReleaseCommits();
  Drain();
  EXPECT_EQ(StoredState(b), core::JobState::kRunning);

  flaky_->HoldCommits();
  std::string c = Submit("c");
  ASSERT_TRUE(RunUntilCommitHeld());
  io_->restart();
  io_->poll();
  EXPECT_EQ(executor_->launched().size(), 2u);  // c's submission is with the writer
  flaky_->ReleaseCommits();
  Drain();
  ASSERT_EQ(executor_->launched().size(), 3u);
  EXPECT_EQ(executor_->launched()[2].key, (exec::AttemptKey{c, 1}));
}

// A crash after such a launch and before its commit: the restarted engine holds the attempt the
// executor names for the job's launch (which re-attaches instead of starting again), and disowns
// those no job will launch, and a held attempt whose job ends without it.
TEST_F(EngineTest, ARestartHoldsAnAttemptLaunchedBeforeItsStartWasCommitted) {
  records_launches_ = true;
  OpenAndStart();
  RegisterDefinition();
  std::string a = Submit("a");
  std::string b = Submit("b", {{a}});
  std::string c = Submit("c", {{a}});
  Drain();
  flaky_->HoldCommits();
  executor_->Exit({a, 1}, 0);
  ASSERT_TRUE(RunUntil([&] { return executor_->launched().size() == 3; }));  // b and c
  flaky_->set_fail_commits(true);  // the crash: the batch never reaches the store
  flaky_->ReleaseCommits();
  unclaimed_launches_ = {{b, 1}, {c, 1}, {a, 3}, {"no-such-job", 1}};
  OpenAndStart();
  EXPECT_NE(StoredState(b), core::JobState::kStarting);
  EXPECT_EQ(executor_->held(), (std::vector<exec::AttemptKey>{{b, 1}, {c, 1}}));
  EXPECT_EQ(executor_->disowned(), (std::vector<exec::AttemptKey>{{a, 3}, {"no-such-job", 1}}));
  ASSERT_TRUE(engine_->CancelJob(c, "not wanted").ok());
  Drain();
  EXPECT_EQ(executor_->disowned().back(), (exec::AttemptKey{c, 1}));
  executor_->Exit({a, 1}, 0);  // the adopted parent's outcome, again
  ASSERT_TRUE(RunUntil([&] { return !executor_->launched().empty(); }));
  ASSERT_EQ(executor_->launched().size(), 1u);
  EXPECT_EQ(executor_->launched()[0].key, (exec::AttemptKey{b, 1}));
  Drain();
  EXPECT_EQ(executor_->disowned().size(), 3u);  // b was launched, not disowned
  EXPECT_EQ(StoredState(b), core::JobState::kRunning);
}

// An attempt that failed at once was retried, and the retry launched, before the failed
// attempt's end was committed: after a crash each attempt launched since the last committed
// start is held, in order, and the job's launches re-attach them one after the other (each
// outcome arrives again from the executor), so no attempt starts twice or fails to start.
TEST_F(EngineTest, ARestartHoldsEveryAttemptLaunchedSinceTheLastCommittedStart) {
  records_launches_ = true;
  OpenAndStart();
  RegisterDefinition();
  SubmitJobRequest r;
  r.job_name = "a";
  r.job_queue = "default";
  r.job_definition = "def";
  r.retry = core::RetryStrategy{};
  r.retry->attempts = 4;
  Result<core::Job> submitted = engine_->SubmitJob(r);
  ASSERT_TRUE(submitted.ok()) << submitted.status().ToString();
  const std::string a = submitted->id;
  Drain();
  ASSERT_EQ(executor_->launched().size(), 1u);
  ASSERT_EQ((*store_->GetJob(a))->attempts.size(), 1u);  // its start is committed
  flaky_->HoldCommits();
  executor_->Exit({a, 1}, 1);
  ASSERT_TRUE(RunUntil([&] { return executor_->launched().size() == 2; }));
  executor_->Exit({a, 2}, 1);
  ASSERT_TRUE(RunUntil([&] { return executor_->launched().size() == 3; }));
  flaky_->set_fail_commits(true);  // the crash: the store still has attempt 1 running
  flaky_->ReleaseCommits();
  unclaimed_launches_ = {{a, 3}, {a, 2}};
  OpenAndStart();
  EXPECT_EQ(executor_->adopted(), (std::vector<exec::AttemptKey>{{a, 1}}));
  EXPECT_EQ(executor_->held(), (std::vector<exec::AttemptKey>{{a, 2}, {a, 3}}));
  for (int attempt = 1; attempt <= 2; ++attempt) {  // the recorded outcomes, again
    executor_->Exit({a, attempt}, 1);
    ASSERT_TRUE(
        RunUntil([&] { return executor_->launched().size() == static_cast<size_t>(attempt); }));
    EXPECT_EQ(executor_->launched().back().key, (exec::AttemptKey{a, attempt + 1}));
  }
  executor_->Exit({a, 3}, 0);
  Drain();
  EXPECT_TRUE(executor_->disowned().empty());
  EXPECT_EQ(StoredState(a), core::JobState::kSucceeded);
  EXPECT_EQ((*store_->GetJob(a))->attempts.size(), 3u);
}

TEST_F(EngineTest, StopCommitsTheBatchWithTheWriterAndTheChangesAfterIt) {
  RegisterDefinition();
  Drain();
  flaky_->HoldCommits();
  std::string a = Submit("a");
  io_->restart();
  io_->poll();
  ASSERT_TRUE(flaky_->WaitForHeldCommit());
  std::string b = Submit("b");
  flaky_->ReleaseCommits();
  engine_->Stop();
  EXPECT_TRUE(store_->GetJob(a)->has_value());
  EXPECT_TRUE(store_->GetJob(b)->has_value());
}

TEST_F(EngineTest, AcknowledgementWaitsForTheCommitAndSync) {
  RegisterDefinition();
  bool acked = false;
  std::string id = Submit("a");
  engine_->WhenDurable([&](Status st) { acked = st.ok(); });
  EXPECT_FALSE(acked);
  EXPECT_FALSE(store_->GetJob(id)->has_value());
  // The sync runs on another thread; wait for its completion with a deadline.
  for (int i = 0; i < 1000 && !acked; ++i) {
    io_->restart();
    io_->run_one_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(acked);
  EXPECT_TRUE(store_->GetJob(id)->has_value());
}

// A call that changes nothing (say, terminating a job that has ended) is answered too, after an
// fsync of its own: what it answers about may have been committed without one.
TEST_F(EngineTest, AWaiterWithNothingToCommitIsAnsweredAfterAnFsync) {
  RegisterDefinition();
  Drain();
  const int syncs = flaky_->syncs();
  std::optional<Status> acked;
  engine_->WhenDurable([&](Status st) { acked = st; });
  EXPECT_TRUE(RunUntil([&] { return acked.has_value(); }));
  ASSERT_TRUE(acked.has_value());
  EXPECT_TRUE(acked->ok()) << acked->ToString();
  EXPECT_GT(flaky_->syncs(), syncs);
}

TEST_F(EngineTest, AFailedFlushIsReportedAndStopsFurtherWritesAndLaunches) {
  RegisterDefinition();
  flaky_->set_fail_syncs(true);
  std::optional<Status> first;
  Submit("a");
  engine_->WhenDurable([&](Status st) { first = st; });
  for (int i = 0; i < 1000 && !first; ++i) {
    io_->restart();
    io_->run_one_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->code(), StatusCode::kUnavailable);
  const size_t launched = executor_->launched().size();
  std::optional<Status> second;
  Submit("b");
  engine_->WhenDurable([&](Status st) { second = st; });
  Drain();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->code(), StatusCode::kUnavailable);
  EXPECT_EQ(executor_->launched().size(), launched);
}

TEST_F(EngineTest, NewChangesAreRefusedWhileTheStoreIsShortOfSpaceOrFailsToCommit) {
  RegisterDefinition();
  EXPECT_TRUE(engine_->WritesAccepted().ok());
  flaky_->set_short_of_space(true);
  EXPECT_EQ(engine_->WritesAccepted().message().rfind("disk full", 0), 0u);
  flaky_->set_short_of_space(false);
  EXPECT_TRUE(engine_->WritesAccepted().ok());

  // A change already made waits for its commit, and nothing new is accepted meanwhile.
  flaky_->set_fail_commits(true);
  std::optional<Status> acked;
  std::string a = Submit("a");
  engine_->WhenDurable([&](Status st) { acked = st; });
  // The writer thread's failure reaches the loop after the turn.
  EXPECT_TRUE(RunUntil([&] { return !engine_->WritesAccepted().ok(); }));
  EXPECT_FALSE(acked.has_value());
  EXPECT_EQ(engine_->WritesAccepted().code(), StatusCode::kUnavailable);
  flaky_->set_fail_commits(false);
  for (int i = 0; i < 1000 && !acked; ++i) {  // the retry timer, then the sync thread
    io_->restart();
    io_->run_one_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(acked.has_value());
  EXPECT_TRUE(acked->ok()) << acked->ToString();
  EXPECT_TRUE(store_->GetJob(a)->has_value());
  EXPECT_TRUE(engine_->WritesAccepted().ok());
}

TEST_F(EngineTest, JobsThatEndWhileCommitsFailAreServedUntilTheirCommitLands) {
  core::JobDefinition d;
  d.name = "huge";
  d.spec.command = {"true"};
  d.spec.resources.vcpus = 100;  // never fits the default compute environment's 2 vCPU
  ASSERT_TRUE(engine_->RegisterJobDefinition(d).ok());
  Drain();
  flaky_->set_fail_commits(true);
  const core::Job parent = SubmitArray("never", 3, "huge");
  io_->restart();
  io_->poll();  // the turn's commit fails: the parent and its children are in memory only
  for (const std::string& id : {parent.id, parent.id + ":0", parent.id + ":2"}) {
    Result<std::optional<core::Job>> job = engine_->GetJob(id);
    ASSERT_TRUE(job.ok() && job->has_value()) << id;
    EXPECT_EQ((*job)->state, core::JobState::kFailed) << id;
    EXPECT_FALSE(store_->GetJob(id)->has_value()) << id;
  }
  flaky_->set_fail_commits(false);
  ASSERT_TRUE(RunUntil([&] { return store_->GetJob(parent.id + ":2")->has_value(); }));
  Result<std::optional<core::Job>> child = engine_->GetJob(parent.id + ":2");
  ASSERT_TRUE(child.ok() && child->has_value());
  EXPECT_EQ((*child)->state, core::JobState::kFailed);
  EXPECT_EQ((*child)->array_index, 2);
}

TEST_F(EngineTest, DependentIsLaunchedInTheTurnAfterItsParentExits) {
  RegisterDefinition();
  std::string a = Submit("a");
  std::string b = Submit("b", {{a}});
  Drain();
  ASSERT_EQ(executor_->launched().size(), 1u);
  executor_->Exit({a, 1}, 0);
  Drain();
  ASSERT_EQ(executor_->launched().size(), 2u);
  EXPECT_EQ(executor_->launched()[1].key.job_id, b);
  EXPECT_EQ(StoredState(a), core::JobState::kSucceeded);
}

TEST_F(EngineTest, WhyACascadedFailureFollowsTheChainToTheJobThatFailedByItself) {
  RegisterDefinition();
  std::string a = Submit("extract");
  std::string b = Submit("transform", {{a}});
  std::string c = Submit("load", {{b}});
  Drain();
  executor_->Exit({a, 1}, 3);
  Drain();
  Result<core::Explanation> why = engine_->Why(c);
  ASSERT_TRUE(why.ok()) << why.status().ToString();
  EXPECT_NE(why->summary.find("the cascade started at job " + a + " (extract)"), std::string::npos)
      << why->summary;
  std::vector<std::string> causes;
  for (const core::Fact& f : why->facts) {
    if (f.kind == core::Fact::Kind::kCause) causes.push_back(f.text);
  }
  ASSERT_EQ(causes.size(), 2u);
  EXPECT_EQ(causes[0].rfind("job " + b + " (transform) ended FAILED", 0), 0u) << causes[0];
  EXPECT_EQ(causes[1].rfind("job " + a + " (extract) ended FAILED", 0), 0u) << causes[1];
  // The job that failed by itself explains its attempt instead.
  Result<core::Explanation> root = engine_->Why(a);
  ASSERT_TRUE(root.ok());
  ASSERT_EQ(root->facts.size(), 1u);
  EXPECT_EQ(root->facts[0].kind, core::Fact::Kind::kAttempt);
  EXPECT_NE(root->facts[0].text.find("exit code 3"), std::string::npos) << root->facts[0].text;
  EXPECT_EQ(engine_->Why("no-such-job").status().code(), StatusCode::kNotFound);
}

TEST_F(EngineTest, LaunchEnvironmentCarriesAwsBatchVariables) {
  RegisterDefinition();
  std::string a = Submit("a");
  Drain();
  ASSERT_EQ(executor_->launched().size(), 1u);
  std::map<std::string, std::string> env;
  for (const auto& v : executor_->launched()[0].environment) env[v.name] = v.value;
  EXPECT_EQ(env["AWS_BATCH_JOB_ID"], a);
  EXPECT_EQ(env["AWS_BATCH_JOB_ATTEMPT"], "1");
  EXPECT_EQ(env["AWS_BATCH_JQ_NAME"], "default");
  EXPECT_EQ(env["AWS_BATCH_CE_NAME"], "default");
}

TEST_F(EngineTest, RestartAdoptsRunningAttemptsAndRelaunchesNeverStartedOnes) {
  RegisterDefinition();
  std::string a = Submit("a");
  std::string b = Submit("b");
  Drain();
  ASSERT_EQ(executor_->launched().size(), 2u);
  engine_->Stop();

  OpenAndStart();  // a new engine on the same store; the new fake executor decides adoption
  // Adoption happened during Start with the default answer (kRunning) for both.
  EXPECT_EQ(executor_->adopted().size(), 2u);
  EXPECT_TRUE(executor_->launched().empty());
  executor_->Exit({a, 1}, 0);
  Drain();
  EXPECT_EQ(StoredState(a), core::JobState::kSucceeded);
  EXPECT_EQ(StoredState(b), core::JobState::kRunning);
}

// An array job's parent is STARTING or RUNNING with its children but has no attempt of its own:
// only the children's attempts are adopted (asking about the parent's "attempt 0" used to crash
// the restart when the executor answered that it never started).
TEST_F(EngineTest, RestartRelaunchesArrayChildrenThatNeverStartedAndAdoptsNothingForTheParent) {
  RegisterDefinition();
  const core::Job parent = SubmitArray("wide", 2);
  Drain();
  ASSERT_EQ(executor_->launched().size(), 2u);
  engine_->Stop();

  adopt_result_ = exec::AdoptResult::kNeverStarted;
  OpenAndStart();
  std::set<std::string> adopted;
  for (const exec::AttemptKey& key : executor_->adopted()) adopted.insert(key.job_id + "." + std::to_string(key.attempt));
  EXPECT_EQ(adopted, (std::set<std::string>{parent.id + ":0.1", parent.id + ":1.1"}));
  ASSERT_EQ(executor_->launched().size(), 2u) << "both children launched again";
  for (const exec::LaunchRequest& launch : executor_->launched()) EXPECT_EQ(launch.key.attempt, 1);
  executor_->Exit({parent.id + ":0", 1}, 0);
  executor_->Exit({parent.id + ":1", 1}, 0);
  Drain();
  EXPECT_EQ(StoredState(parent.id), core::JobState::kSucceeded);
}

TEST_F(EngineTest, FailedLaunchFailsTheAttemptWithTheReason) {
  RegisterDefinition();
  executor_->set_launch_status(Status::Unavailable("no shim"));
  std::string a = Submit("a");
  Drain();
  auto job = engine_->GetJob(a);
  ASSERT_TRUE(job.ok() && *job);
  EXPECT_EQ((*job)->state, core::JobState::kFailed);
  EXPECT_NE((*job)->attempts.back().reason.find("no shim"), std::string::npos);
}

TEST_F(EngineTest, UnknownDefinitionOrQueueIsRejectedAndNothingIsStored) {
  SubmitJobRequest r;
  r.job_name = "x";
  r.job_queue = "default";
  r.job_definition = "missing";
  EXPECT_EQ(engine_->SubmitJob(r).status().code(), StatusCode::kInvalidArgument);
  RegisterDefinition();
  r.job_definition = "def";
  r.job_queue = "nope";
  EXPECT_EQ(engine_->SubmitJob(r).status().code(), StatusCode::kInvalidArgument);
  Drain();
  store::JobQuery q;
  q.queue = "default";
  auto page = store_->ListJobs(q);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->jobs.empty());
}

}  // namespace
}  // namespace nightshift::engine
