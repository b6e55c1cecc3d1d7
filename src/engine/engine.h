// Engine: the one owner of nightshift's mutable state. It combines the pure scheduler with the
// store and the executors on one event loop (a boost::asio::io_context):
//   * commands (submit, cancel, create queue, ...) validate, change memory and return at once;
//     their effect becomes durable after the loop turn, when every change of the turn is
//     committed in one transaction (group commit). Callers that acknowledge to a client wait for
//     that with WhenDurable().
//   * a state transition is committed, or recorded where a restarted server finds it, before
//     the side effect that depends on it: a job's submission is committed before its process is
//     launched, and its STARTING is committed first too unless its executor records the launch
//     (see below).
//   * process exits and timers arrive as events; dependents are dispatched in the same turn.
// The loop does not run the transactions itself: a turn hands its changes (a WriteBatch, a value)
// to the store writer thread, and goes on serving while the writer commits them. At most one batch
// is with the writer at a time; the turns meanwhile collect their changes for the next one. When
// the commit ends, the loop learns it (OnCommitted) and only then launches what the batch
// started and publishes its events; meanwhile the writer has handed the batch to the syncer
// thread, whose fdatasync (SyncThrough) its callers' acknowledgements wait for (OnSynced).
// The exception: an executor that records each launch before it starts anything (the local one,
// in its supervisor's journal; Executor::RecordsLaunches) launches in the turn that decided it,
// while the batch is committed; after a crash before that commit, the next server finds the
// attempt in that record (with any retries of it launched meanwhile) and re-attaches to it when
// it launches the attempt again (HoldUnclaimedLaunches), so nothing runs twice. A dependent then
// starts one commit sooner. Until then the loop answers reads of what the batch holds from memory
// (GetJob, GetRun, fires).
// Thread-safety: none. Every method must be called on the io_context's thread. The writer and
// syncer threads only call the store (Commit, SyncCommitted), count what they did
// (committed_generation_, synced_generation_) and post their outcome to the loop.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "auth/api_token.h"
#include "auth/audit_record.h"
#include "auth/token_ring.h"
#include "core/event.h"
#include "core/fire_planner.h"
#include "core/job.h"
#include "core/job_identity.h"
#include "core/pipeline.h"
#include "core/resources.h"
#include "core/schedule.h"
#include "core/scheduler.h"
#include "core/webhook.h"
#include "engine/requests.h"
#include "events/event_codec.h"
#include "exec/executor.h"
#include "metrics/registry.h"
#include "pipeline/spec.h"
#include "schedule/timetable.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/ids.h"
#include "util/status.h"

namespace boost::asio {
class io_context;
}

namespace nightshift::engine {

// The longest a change that needs no turn of its own waits for one (see ArmLazyCommit): how long
// the store may still say STARTING for an attempt that runs, or lack an answered call's audit
// record.
inline constexpr std::chrono::milliseconds kLazyCommitDelay{100};

// How long a batch that nobody waits for (no answer, launch or kill depends on it: only what
// executors reported, which their own records keep across a crash) gathers the following turns'
// changes before it goes to the writer: a DAG of short jobs then costs a commit per window, not
// one per exit. (20 ms rather than 5: in the 10,000-job DAG, 280 commits instead of 1,000 and a
// fifth less of the server's CPU; events reach streams that much later.)
inline constexpr std::chrono::milliseconds kCoalesceDelay{20};

struct EngineOptions {
  std::string region = "us-east-1";
  std::string account = "000000000000";
  double default_vcpus = 2;          // capacity of the default compute environment
  int64_t terminate_grace_ms = 10'000;  // SIGTERM -> SIGKILL
  // The event log keeps the newest this many events, and none older than this.
  uint64_t event_retention_count = 100'000;
  int64_t event_retention_ms = 7LL * 24 * 3600 * 1000;
  core::RunAsPolicy run_as;  // who jobs run as when nobody chose (core/job_identity.h)
};

class EngineMetrics;

class Engine {
 public:
  Engine(boost::asio::io_context& io, store::Store& store, exec::Executor& executor,
         const Clock& clock, EngineOptions options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Before Start: compute environments of executor type `kind` run their jobs on `executor`
  // (the constructor's runs kLocal). A compute environment of a kind with no executor cannot be
  // created. `executor` must outlive the engine.
  void AddExecutor(core::ExecutorKind kind, exec::Executor& executor);

  // Loads the store, creates the default compute environment and queue on first start,
  // re-adopts attempts that were running when the previous server stopped.
  Status Start();
  // Commits what is pending. Running jobs are left running.
  void Stop();

  // Runs `done` once every change made so far is committed (or with the commit's error).
  void WhenDurable(std::function<void(Status)> done);
  // Whether a new change may be made: kUnavailable while the store cannot take it (a failed
  // flush, failing commits, a full disk: store::Store::SpaceForWrites). Callers that change
  // state for a client refuse the call with this error before changing anything, so that nothing
  // is accepted that cannot be stored; changes already made wait for their commit.
  Status WritesAccepted();
  // No commit running, no fsync in flight and no turn's changes waiting for a commit to end:
  // what was decided so far is committed and synced, or failed to be.
  bool Settled() const {
    return awaiting_sync_.empty() && !commit_deferred_ && !(in_flight_ && in_flight_->writing);
  }

  // --- Compute environments, job queues, job definitions.
  Result<core::ComputeEnvironment> CreateComputeEnvironment(core::ComputeEnvironment ce);
  Result<core::ComputeEnvironment> UpdateComputeEnvironment(const ComputeEnvironmentUpdate& update);
  Status DeleteComputeEnvironment(const std::string& name_or_arn);
  Result<core::JobQueue> CreateJobQueue(core::JobQueue queue);
  Result<core::JobQueue> UpdateJobQueue(const JobQueueUpdate& update);
  Status DeleteJobQueue(const std::string& name_or_arn);
  Result<core::JobDefinition> RegisterJobDefinition(core::JobDefinition definition);
  Status DeregisterJobDefinition(const std::string& ref);

  const core::ComputeEnvironment* FindComputeEnvironment(const std::string& name_or_arn) const;
  const core::JobQueue* FindJobQueue(const std::string& name_or_arn) const;
  // "name" (latest active revision), "name:rev", or an ARN of either form.
  const core::JobDefinition* FindJobDefinition(const std::string& ref) const;
  const std::map<std::string, core::ComputeEnvironment>& compute_environments() const { return ces_; }
  const std::map<std::string, core::JobQueue>& job_queues() const { return queues_; }
  // All revisions, ordered by name then revision.
  const std::map<std::pair<std::string, int>, core::JobDefinition>& job_definitions() const {
    return definitions_;
  }

  // --- Jobs.
  Result<core::Job> SubmitJob(const SubmitJobRequest& request);
  Status CancelJob(const std::string& job_id, const std::string& reason);
  Status TerminateJob(const std::string& job_id, const std::string& reason);
  // The job as the client should see it: live if active, else from the store.
  Result<std::optional<core::Job>> GetJob(const std::string& job_id);
  Result<store::JobPage> ListJobs(const store::JobQuery& query);
  // Why the job is where it is (the live statusReason).
  std::string Explain(const core::Job& job) const;
  // The full explanation (`nightshift why`): for a job that failed because a dependency did, the
  // chain of dependencies down to the job that failed by itself. NotFound for an unknown id.
  Result<core::Explanation> Why(const std::string& job_id);

  // --- Tags, by ARN of a job, queue, compute environment or job definition.
  Result<std::map<std::string, std::string>> ListTags(const std::string& arn);
  Status TagResource(const std::string& arn, const std::map<std::string, std::string>& tags);
  Status UntagResource(const std::string& arn, const std::vector<std::string>& keys);

  // --- Schedules (engine_schedules.cc), by group and name; only the "default" group exists.
  // Starts the work of one fire and returns the id of the job it submitted. The API layer sets
  // it: it knows how to read a target's Input. Called on the loop, inside a turn, so the job and
  // the fire's record are committed together.
  using ScheduleTargetStarter = std::function<Result<std::string>(const core::Schedule&, const core::Fire&)>;
  void SetScheduleTargetStarter(ScheduleTargetStarter starter) { start_target_ = std::move(starter); }

  // Validates the expression, zone, dates and policies (the target's Input is the caller's to
  // check); sets ARN, dates and progress. Errors: kInvalidArgument, kConflict if it exists.
  Result<core::Schedule> CreateSchedule(core::Schedule schedule);
  // Replaces the definition; keeps the progress (cursor, active runs, buffered fires).
  Result<core::Schedule> UpdateSchedule(core::Schedule schedule);
  Status DeleteSchedule(const std::string& group, const std::string& name);
  const core::Schedule* FindSchedule(const std::string& group, const std::string& name) const;
  std::vector<const core::Schedule*> Schedules() const;  // ordered by group, then name
  Result<core::Schedule> PauseSchedule(const std::string& group, const std::string& name, std::string note);
  Result<core::Schedule> ResumeSchedule(const std::string& group, const std::string& name, std::string note);
  // Run now: one fire with logical time now, through `overlap` (default: the schedule's).
  Result<std::vector<core::Fire>> TriggerSchedule(const std::string& group, const std::string& name,
                                                  std::optional<core::OverlapPolicy> overlap);
  struct Backfill {
    std::vector<core::Fire> fires;             // decided now
    std::vector<TimeMs> already_fired;         // logical times that had a record already
  };
  // Every fire of the timetable in [from, to] not made yet, through `overlap` (default
  // buffer_all: one after another).
  Result<Backfill> BackfillSchedule(const std::string& group, const std::string& name, TimeMs from, TimeMs to,
                                    std::optional<core::OverlapPolicy> overlap);
  // The next `count` logical times after the schedule's cursor, and when the next is due.
  std::vector<TimeMs> UpcomingFires(const core::Schedule& schedule, int count) const;
  std::optional<TimeMs> NextDue(const core::Schedule& schedule) const;
  Result<store::FirePage> ListFires(const store::FireQuery& query);

  // --- Pipelines (engine_pipelines.cc).
  struct AppliedPipeline {
    core::PipelineVersion version;
    bool changed = false;  // a new version was made
  };
  // Parses and validates a pipeline file; makes a new version when its content (or base_dir)
  // differs from the latest; creates, updates or deletes the pipeline's schedule (group
  // "pipelines", named after the pipeline). Errors: kInvalidArgument listing every problem as
  // "line:col: message" lines (also returned in `problems`), or naming a missing definition.
  Result<AppliedPipeline> ApplyPipeline(const std::string& source, const std::string& base_dir,
                                        std::vector<pipeline::Problem>* problems = nullptr);
  Status DeletePipeline(const std::string& name);
  // The latest version of a pipeline that is not deleted.
  const core::PipelineVersion* FindPipeline(const std::string& name) const;
  std::vector<const core::PipelineVersion*> Pipelines() const;  // latest versions, by name
  // The parsed file of a version (nullptr if unknown).
  const pipeline::PipelineSpec* PipelineSpecOf(const std::string& name, int version);

  struct RunRequest {
    std::string pipeline;
    std::map<std::string, std::string> params;  // overrides of the file's defaults
    std::optional<TimeMs> logical_time;         // default: now
    std::string trigger = "manual";             // manual | schedule | backfill
    std::optional<TimeMs> data_interval_start;  // default: the logical time
  };
  // Submits every step as a job, with dependencies, all or nothing. Errors: kNotFound (unknown
  // pipeline), kInvalidArgument (unknown or missing params, a bad template value, a queue or
  // definition that is gone).
  Result<core::PipelineRun> StartRun(const RunRequest& request);
  // Terminates the run's unfinished jobs; the run ends CANCELLED.
  Status CancelRun(const std::string& run_id, const std::string& reason);
  // Submits the failed, skipped and cancelled steps again (with the same version and params),
  // keeping the succeeded ones. Errors: kConflict if the run is still running or succeeded.
  Result<core::PipelineRun> RerunFromFailure(const std::string& run_id);
  Result<std::optional<core::PipelineRun>> GetRun(const std::string& run_id);
  Result<store::RunPage> ListRuns(const store::RunQuery& query);
  // Called after every turn in which a run changed (for live displays), with the indices of the
  // steps that changed in it; null: the run itself (it started, was rerun or ended).
  using RunObserver =
      std::function<void(const core::PipelineRun&, const std::vector<size_t>* changed_steps)>;
  void SetRunObserver(RunObserver observer) { run_observer_ = std::move(observer); }

  // --- Logs.
  // The log file of the attempt a CloudWatch log stream name stands for.
  Result<std::string> LogPathForStream(const std::string& log_stream_name) const;

  // --- Events (engine_events.cc). Every job transition, run state change, schedule fire and
  // schedule change becomes an event (core/event.h), committed with the change it describes.
  // Called on the loop after each commit with the events it made durable, ids ascending.
  using EventBatch = std::shared_ptr<const std::vector<core::Event>>;
  using EventListener = std::function<void(const EventBatch&)>;
  int AddEventListener(EventListener listener);  // returns a handle for RemoveEventListener
  void RemoveEventListener(int handle);
  // Committed events with id > after_id, ascending, at most `limit` (from the store).
  Result<std::vector<core::Event>> ListEvents(uint64_t after_id, int limit);
  uint64_t last_committed_event_id() const;

  // --- Webhook subscriptions (engine_events.cc); delivery is the api layer's dispatcher.
  // Sets id, created_at and the cursor (the newest event: a subscription sees what comes next).
  // Errors: kInvalidArgument for a URL that is not http:// or a retry out of range.
  Result<core::WebhookSubscription> CreateWebhook(core::WebhookSubscription subscription);
  Status DeleteWebhook(const std::string& id);  // kNotFound if unknown
  const std::map<std::string, core::WebhookSubscription>& webhooks() const;
  // Records one delivery attempt and, if given, the subscription's new cursor; committed in the
  // next turn. A deleted subscription's are dropped.
  void RecordDelivery(const core::WebhookDelivery& delivery, std::optional<uint64_t> cursor);
  Result<std::vector<core::WebhookDelivery>> ListDeliveries(const std::string& id, int limit);

  // --- Access control (engine_access.cc): API tokens and the audit log.
  // Keeps a token made by auth::MintToken. Errors: kConflict if one has its id already.
  Status AddApiToken(const auth::ApiToken& token);
  // Revokes a token now and answers it; revoking it again keeps the first time. kNotFound if
  // unknown.
  Result<auth::ApiToken> RevokeApiToken(const std::string& id);
  // Every token the server knows (the authenticator reads it on this loop).
  const auth::TokenRing& api_tokens() const { return tokens_; }
  // Notes that a token authenticated a request now; written only when the recorded use is
  // older than auth::kTokenUseResolutionMs, so a busy token does not cost a write per request.
  void NoteTokenUse(const std::string& id);
  // Appends a record to the audit log (its `at` set to now when 0). It is committed with the
  // changes of the next turn, within kLazyCommitDelay: it never costs a commit of its own.
  void RecordAudit(auth::AuditRecord record);
  Result<store::AuditPage> ListAudit(const store::AuditQuery& query);

  // --- Metrics: the engine's, which the api layer adds its own to.
  EngineMetrics& metrics();

  // --- Figures for the web UI's overview.
  // vCPUs in use on a compute environment now.
  double UsedVcpus(const std::string& ce) const { return scheduler_.UsedVcpus(ce); }
  // Active jobs (array children included) per (queue, state), live.
  std::map<std::pair<std::string, core::JobState>, int> ActiveJobCounts() const { return scheduler_.CountActive(); }
  // Top-level jobs per (queue, state) as committed (the store may lag the live state by one turn).
  Result<std::vector<store::JobCount>> CountJobs() { return store_.CountJobs(); }
  // The store's write-ahead log now, into metrics(): before a scrape.
  void RefreshStoreMetrics();

  std::string Arn(const std::string& resource_type, const std::string& name) const;
  TimeMs Now() const { return clock_.NowMs(); }
  int64_t NowUs() const { return clock_.NowUs(); }
  const Clock& clock() const { return clock_; }
  // The loop the engine runs on (for the timers of its api-layer companions).
  boost::asio::io_context& io_context() const { return io_; }
  const std::string& region() const { return options_.region; }
  const std::string& account() const { return options_.account; }

 private:
  struct Timers;  // asio objects, kept out of this header

  // A job event whose JSON the store writer writes, before it commits the batch (the loop's
  // time is the scarcer): the job as it was when the event was made, and the event's place in
  // its batch's events.
  struct JobEventDraft {
    size_t index = 0;
    std::shared_ptr<const core::Job> job;  // as the turn left it; shared by its transitions
    core::JobTransition transition;
  };
  using JobEventDrafts = std::vector<JobEventDraft>;

  // Turn mechanics (engine.cc).
  // A batch handed to the store writer, and what waits for its commit.
  struct Handoff {
    uint64_t generation = 0;  // counts hand-offs
    // While `writing`, the writer writes the docs of its job events (`drafts`, which it empties)
    // and commits it; the loop meanwhile only reads its jobs, runs and fires, and takes its
    // events once the commit has ended.
    std::shared_ptr<store::WriteBatch> batch;
    std::shared_ptr<JobEventDrafts> drafts;
    std::vector<core::Placement> launches;  // decided with the batch: launched once it is committed
    std::vector<core::KillRequest> kills;
    std::vector<std::function<void(Status)>> waiters;  // acknowledged once committed and synced
    int64_t handed_off_us = 0;
    uint64_t jobs_through = 0;  // every job of seq <= this is in this batch or an earlier one
    bool writing = false;  // with the writer now; false: its commit failed, to be retried
    std::shared_future<Status> outcome;  // the writer's answer (Stop waits for it)
  };
  void ScheduleFlush();
  void Flush();
  // Hands pending_ (with the launches, kills and waiters of the turns that made it) to the writer.
  // Precondition: no batch is with the writer (in_flight_ is empty).
  void CommitPending();
  void TakeChangedJobs();  // the scheduler's changed jobs into pending_.jobs
  // Runs, schedules and events learn of the scheduler's transitions since the last call.
  void NoteTransitions(TimeMs now);
  void SendToWriter();
  // On the loop, once the writer has committed (or failed to commit) the batch of `generation`.
  void OnCommitted(uint64_t generation, Status status);
  void CarryOutDecisions(const Handoff& committed);
  // Once the batch of `generation` is committed: has the syncer thread make it durable.
  void RequestSync(uint64_t generation);
  // On the syncer thread: makes every commit so far durable, if the batch of `generation` is not.
  void SyncThrough(uint64_t generation);
  // On the loop, once an fdatasync covering every batch up to `covers` has ended.
  void OnSynced(uint64_t covers, Status status);
  void ArmWakeup();
  void OnAttemptExited(const exec::AttemptKey& key, const core::AttemptOutcome& outcome);
  void OnAttemptProgress(const exec::AttemptKey& key, const exec::Executor::StartProgress& progress);
  // The executor of the compute environment `ce` (the local one if the name is unknown).
  exec::Executor& ExecutorOf(const std::string& ce) const;
  Status AddCascadeCause(const core::Job& job, core::Explanation& e);
  void Launch(const core::Placement& placement);
  // Launches at once what to_launch_ holds for executors that record their launches, of jobs whose
  // submission is committed.
  void LaunchRecorded();
  // At start: the attempts launched before a crash without a committed STARTING (see
  // held_launches_).
  void HoldUnclaimedLaunches();
  // Gives up the held attempts of jobs that ended without launching them.
  void DisownEndedHolds(const std::vector<core::JobTransition>& transitions);
  void DisownHolds(const std::string& job_id);
  void ArmLazyCommit();  // commits within kLazyCommitDelay, if no turn does sooner
  // True when no answer, launch or kill waits for the pending changes (see kCoalesceDelay).
  bool PendingCanWait() const;
  void ArmCoalesce();  // hands the pending changes off after kCoalesceDelay
  // Gives free memory back to the system kMemoryReleaseDelay after the last commit of
  // kBulkChanges jobs and events or more.
  void ArmMemoryRelease();
  void Adopt(const core::Job& job);
  Status CreateDefaults();
  Result<core::FinishedStates> LookUpFinished(const std::vector<const core::Job*>& jobs);

  // Job submission (engine_jobs.cc).
  // The job as it is now if the store may not have it yet: in the scheduler (active, or ended
  // and not yet handed off) or ended in the batch with the writer; else null.
  const core::Job* FindUncommitted(const std::string& job_id) const;
  std::vector<core::Job> UncommittedMatches(const store::JobQuery& query) const;
  const core::PipelineRun* FindUncommittedRun(const std::string& run_id) const;
  Result<core::Job> BuildJob(const SubmitJobRequest& request, const core::JobQueue& queue,
                             const core::JobDefinition& definition);
  // Array sizes of finished N_TO_N partners of `job`, from the store.
  Result<core::FinishedArraySizes> FinishedPartnerSizes(const core::Job& job);
  // Completes CancelJob/TerminateJob from the scheduler's answer.
  Status StopJob(const std::string& job_id, Status from_scheduler);
  // Errors: the attempt must not start (no user chosen for it under a refusing policy).
  Result<exec::LaunchRequest> BuildLaunch(const core::Job& job, const core::Placement& placement) const;

  // Schedules (engine_schedules.cc).
  struct ScheduleEntry {
    core::Schedule schedule;
    schedule::Timetable timetable;
    std::optional<TimeMs> due;  // its place in schedule_due_
  };
  Result<schedule::Timetable> BuildTimetable(const core::Schedule& schedule) const;
  Status ValidateSchedule(const core::Schedule& schedule, const schedule::Timetable& timetable) const;
  Result<ScheduleEntry*> FindEntry(const std::string& group, const std::string& name);
  void RestoreSchedules(std::vector<core::Schedule> schedules);
  // Decides every fire due by `now`, starts what runs, and persists records and progress.
  void FireDueSchedules(TimeMs now);
  // Jobs started by fires that ended: frees their schedules for buffered fires.
  void NoteEndedRuns(const std::vector<core::JobTransition>& transitions, TimeMs now);
  void Apply(ScheduleEntry& entry, core::FirePlan plan, TimeMs now);
  void Reindex(ScheduleEntry& entry);
  // Removes a schedule from memory and deletes it in the store (its fires go too).
  void Forget(const std::string& key);
  void ArmScheduleTimer();

  // Pipelines (engine_pipelines.cc).
  struct PipelineEntry {
    std::map<int, core::PipelineVersion> versions;
    std::map<int, pipeline::PipelineSpec> specs;  // parsed on demand
  };
  struct StepRef {
    std::string run_id;
    size_t step = 0;
  };
  void RestorePipelines(std::vector<core::PipelineVersion> versions, std::vector<core::PipelineRun> runs);
  Status SyncPipelineSchedule(const std::string& name, const pipeline::PipelineSpec* spec);
  static std::string StepDefinitionName(const std::string& image);  // image: "" for host processes
  Status EnsureStepDefinition(const std::string& image);
  // Submits the given steps of `run` (indexes), wiring dependencies to the jobs of the others.
  Status SubmitSteps(core::PipelineRun& run, const pipeline::PipelineSpec& spec, const std::vector<size_t>& steps);
  Result<std::vector<SubmitJobRequest>> BuildStepJobs(const core::PipelineRun& run, const pipeline::PipelineSpec& spec,
                                                      const std::vector<size_t>& steps);
  // Jobs of runs that changed state: updates their steps, ends finished runs.
  void NoteRunSteps(const std::vector<core::JobTransition>& transitions, TimeMs now);
  void EndRunIfSettled(core::PipelineRun& run, TimeMs now);
  void CountUnfinished(const core::PipelineRun& run);
  Result<std::string> StartPipelineTarget(const core::Schedule& schedule, const core::Fire& fire);

  // Events (engine_events.cc).
  struct Observability;  // event log state, listeners, webhooks, metrics
  void RestoreObservability(const store::Snapshot& snapshot);
  // Turns this turn's transitions, and the runs, fires and schedule changes added to pending_
  // since the last call, into events in pending_.
  void NoteEvents(const std::vector<core::JobTransition>& transitions, TimeMs now);
  // When pending_ goes to the writer: NoteEvents starts over on the new pending_.
  void NoteHandedOff();
  // Writes the doc of each drafted job event of `batch` that has none yet. Any thread: reads
  // only its arguments.
  static void WriteEventDocs(store::WriteBatch& batch, JobEventDrafts& drafts,
                             const events::EventOrigin& origin);
  // After a successful commit: hands its events (ids ascending) to the listeners.
  void PublishCommitted(std::vector<core::Event> events, int64_t commit_us);

  // Resource changes (engine_resources.cc).
  void Persist(const core::ComputeEnvironment& ce);
  void Persist(const core::JobQueue& queue);
  void Persist(const core::JobDefinition& definition);
  Status ChangeTags(const std::string& arn,
                    const std::function<Status(std::map<std::string, std::string>&)>& change);
  std::string NameFromArn(const std::string& name_or_arn, const std::string& resource_type) const;

  boost::asio::io_context& io_;
  store::Store& store_;
  std::map<core::ExecutorKind, exec::Executor*> executors_;
  const Clock& clock_;
  EngineOptions options_;
  std::unique_ptr<Timers> timers_;
  std::unique_ptr<Observability> observe_;
  IdGenerator ids_;
  core::Scheduler scheduler_;

  std::map<std::string, core::ComputeEnvironment> ces_;
  std::map<std::string, core::JobQueue> queues_;
  std::map<std::pair<std::string, int>, core::JobDefinition> definitions_;
  uint64_t next_seq_ = 1;

  auth::TokenRing tokens_;

  std::map<std::string, ScheduleEntry> schedules_;          // by ScheduleKey
  std::set<std::pair<TimeMs, std::string>> schedule_due_;   // (due time, key): the timer's queue
  std::unordered_map<std::string, std::string> run_owners_;  // job id -> ScheduleKey
  ScheduleTargetStarter start_target_;

  std::map<std::string, PipelineEntry> pipelines_;
  std::map<std::string, core::PipelineRun> runs_;            // active runs by id
  std::unordered_map<std::string, StepRef> step_of_job_;     // job id -> its run's step
  std::unordered_map<std::string, size_t> unfinished_steps_;  // active run id -> steps not ended
  // Runs to report to run_observer_: the steps that changed, or `all` for the run itself.
  struct ChangedSteps {
    bool all = false;
    std::vector<size_t> steps;
  };
  std::map<std::string, ChangedSteps> changed_runs_;
  RunObserver run_observer_;
  uint64_t next_run_seq_ = 1;

  store::WriteBatch pending_;  // changes not yet handed to the writer
  JobEventDrafts pending_drafts_;  // of pending_.events
  // The batch with the writer, or whose commit failed and waits for its retry.
  std::optional<Handoff> in_flight_;
  uint64_t handoffs_ = 0;  // the generation of the newest Handoff
  // Terminal jobs in in_flight_ that are no longer in the scheduler, as job id -> index of the
  // job's latest version in its batch's jobs; served to readers until the batch is committed.
  // (The writer only reads those jobs; a terminal job stays in the scheduler until its hand-off.)
  std::unordered_map<std::string, size_t> uncommitted_finished_;
  std::vector<std::function<void(Status)>> waiting_for_commit_;  // until the next hand-off
  // The waiters of committed batches not yet fsynced, by generation, oldest first.
  std::deque<std::pair<uint64_t, std::vector<std::function<void(Status)>>>> awaiting_sync_;
  std::atomic<uint64_t> committed_generation_{0};  // the newest batch committed (RequestSync)
  uint64_t synced_generation_ = 0;  // the syncer's own: every batch up to this one is durable
  Status store_failure_;  // set when a flush of committed data failed: no more writes
  std::vector<core::Placement> to_launch_;  // launched once their batch is committed
  // Attempts an executor launched before a crash whose STARTING was not committed, kept
  // (Executor::Hold) for their job's next Launches: job id -> the attempts, in the order the job
  // launches them, and who holds them. There can be several: an attempt that failed at once was
  // retried, and the retry launched, before the first attempt's STARTING was committed.
  struct HeldLaunch {
    std::deque<int> attempts;
    exec::Executor* executor = nullptr;
  };
  std::unordered_map<std::string, HeldLaunch> held_launches_;
  // Every job of seq <= this has its submission committed. Only such a job launches before its
  // STARTING is committed: a crash must not leave a process of a job the store never had (the
  // client, never answered, would submit it again).
  uint64_t committed_jobs_through_ = 0;
  bool flush_scheduled_ = false;
  // A turn left its changes in pending_ for the next batch: one was with the writer.
  bool commit_deferred_ = false;
  bool stopped_ = false;
  int commit_failures_ = 0;
  Status commit_error_;  // the last failed commit's error while commit_failures_ > 0
};

}  // namespace nightshift::engine
