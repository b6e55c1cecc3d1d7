#include <utility>  // Boost 1.74's asio needs std::exchange declared first under GCC 12.

#include "engine/engine.h"
#include "engine/observability.h"
#include "util/memory.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/system_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <tuple>

namespace nightshift::engine {

namespace asio = boost::asio;

namespace {

// A commit of at least this many jobs and events ends a turn that allocated and freed hundreds of
// megabytes (an array job's children, their events): its free memory goes back to the system
// this long after, once the event listeners' threads have dropped the turn's events too.
constexpr size_t kBulkChanges = 10'000;
constexpr std::chrono::seconds kMemoryReleaseDelay{1};

}  // namespace

struct Engine::Timers {
  // A timer that is armed at most once at a time: arming it while it is armed changes nothing.
  struct OnceTimer {
    explicit OnceTimer(asio::io_context& io) : timer(io) {}
    // Calls `fire` on the loop `delay` from now, unless it is armed already or cancelled meanwhile.
    void Arm(std::chrono::milliseconds delay, std::function<void()> fire) {
      if (armed) return;
      armed = true;
      timer.expires_after(delay);
      timer.async_wait([this, fire = std::move(fire)](boost::system::error_code ec) {
        armed = false;
        if (!ec) fire();
      });
    }
    void Cancel() { timer.cancel(); }
    asio::steady_timer timer;
    bool armed = false;
  };

  explicit Timers(asio::io_context& io)
      : wakeup(io),
        retry_commit(io),
        started_commit(io),
        coalesce(io),
        release_memory(io),
        schedule(io),
        writer(1),
        syncer(1) {}
  ~Timers() {
    writer.join();
    syncer.join();
  }
  asio::steady_timer wakeup;          // the scheduler's next backoff release or timeout
  asio::steady_timer retry_commit;    // after a failed commit
  OnceTimer started_commit;  // commits started attempts no other change carried
  OnceTimer coalesce;        // ends the window in which a batch nobody waits for grows
  bool coalesce_due = false;          // the window has ended: hand the batch off at the next turn
  asio::steady_timer release_memory;  // after a bulk commit (kBulkChanges)
  asio::system_timer schedule;      // the earliest due schedule fire (wall-clock time)
  TimeMs wakeup_at = 0;
  std::optional<TimeMs> schedule_at;
  // The two other threads. They touch no engine state: each calls one store method and posts
  // its outcome to the loop. The writer runs Store::Commit (one batch at a time: see Handoff),
  // the syncer Store::SyncCommitted, so that the loop goes on serving while SQLite writes and
  // the disk flushes.
  asio::thread_pool writer;
  asio::thread_pool syncer;
};

Engine::Engine(asio::io_context& io, store::Store& store, exec::Executor& executor, const Clock& clock,
               EngineOptions options)
    : io_(io),
      store_(store),
      clock_(clock),
      options_(std::move(options)),
      timers_(std::make_unique<Timers>(io)),
      observe_(std::make_unique<Observability>(options_)) {
  AddExecutor(core::ExecutorKind::kLocal, executor);
}

void Engine::AddExecutor(core::ExecutorKind kind, exec::Executor& executor) {
  executors_[kind] = &executor;
  executor.SetExitCallback([this](const exec::AttemptKey& key, const core::AttemptOutcome& outcome) {
    OnAttemptExited(key, outcome);
  });
  executor.SetStartCallback([this](const exec::AttemptKey& key, const exec::Executor::StartProgress& progress) {
    OnAttemptProgress(key, progress);
  });
}

exec::Executor& Engine::ExecutorOf(const std::string& ce) const {
  auto it = ces_.find(ce);
  auto e = executors_.find(it == ces_.end() ? core::ExecutorKind::kLocal : it->second.executor);
  return *(e == executors_.end() ? executors_.at(core::ExecutorKind::kLocal) : e->second);
}

Engine::~Engine() = default;

Status Engine::Start() {
  Result<store::Snapshot> snapshot = store_.Load();
  if (!snapshot.ok()) return snapshot.status();
  RestoreObservability(*snapshot);
  for (auth::ApiToken& token : snapshot->api_tokens) tokens_.Put(std::move(token));
  for (auto& ce : snapshot->compute_environments) {
    scheduler_.SetComputeEnvironment(ce);
    ces_[ce.name] = std::move(ce);
  }
  for (auto& q : snapshot->job_queues) {
    scheduler_.SetJobQueue(q);
    queues_[q.name] = std::move(q);
  }
  for (auto& d : snapshot->job_definitions) definitions_[{d.name, d.revision}] = std::move(d);
  next_seq_ = snapshot->max_job_seq + 1;
  committed_jobs_through_ = snapshot->max_job_seq;
  if (ces_.empty() && queues_.empty()) NS_RETURN_IF_ERROR(CreateDefaults());

  std::vector<const core::Job*> active;
  for (const core::Job& job : snapshot->active_jobs) active.push_back(&job);
  Result<core::FinishedStates> finished = LookUpFinished(active);
  if (!finished.ok()) return finished.status();
  std::vector<core::Job> adopt;
  for (const core::Job& job : snapshot->active_jobs) {
    // An array job's parent shows its children's state but runs nothing itself: no attempts.
    if ((job.state == core::JobState::kStarting || job.state == core::JobState::kRunning) &&
        !job.attempts.empty()) {
      adopt.push_back(job);
    }
  }
  const size_t restored = snapshot->active_jobs.size();
  scheduler_.Restore(std::move(snapshot->active_jobs), *finished, Now());
  for (const core::Job& job : adopt) Adopt(job);
  HoldUnclaimedLaunches();
  next_run_seq_ = snapshot->max_run_seq + 1;
  RestorePipelines(std::move(snapshot->pipeline_versions), std::move(snapshot->active_runs));
  RestoreSchedules(std::move(snapshot->schedules));
  // Runs whose last jobs ended while nightshift was down end now (and free their schedules).
  for (auto it = runs_.begin(); it != runs_.end();) {
    auto next = std::next(it);
    EndRunIfSettled(it->second, Now());
    it = next;
  }
  spdlog::info("engine started: {} active jobs restored, {} attempts re-adopted, {} schedules", restored,
               adopt.size(), schedules_.size());
  ScheduleFlush();
  return Status::Ok();
}

void Engine::HoldUnclaimedLaunches() {
  for (const auto& [kind, executor] : executors_) {
    if (!executor->RecordsLaunches()) continue;
    std::vector<exec::AttemptKey> keys = executor->UnclaimedLaunches();
    std::sort(keys.begin(), keys.end(), [](const exec::AttemptKey& a, const exec::AttemptKey& b) {
      return std::tie(a.job_id, a.attempt) < std::tie(b.job_id, b.attempt);
    });
    for (const exec::AttemptKey& key : keys) {
      // The attempts the job would launch next, in order: their STARTINGs were lost with the
      // crash. Any other is an ended attempt's record (its outcome committed) or one of a job
      // that ended.
      const core::Job* job = scheduler_.Find(key.job_id);
      HeldLaunch& h = held_launches_[key.job_id];  // erased below if it stays empty
      const size_t next = job ? job->attempts.size() + 1 + h.attempts.size() : 0;
      if (job && job->array_size == 0 && static_cast<size_t>(key.attempt) == next &&
          (h.attempts.empty() || h.executor == executor)) {
        executor->Hold(key);
        h.executor = executor;
        h.attempts.push_back(key.attempt);
      } else {
        if (h.attempts.empty()) held_launches_.erase(key.job_id);
        executor->Disown(key);
      }
    }
  }
  if (!held_launches_.empty()) {
    spdlog::info(
        "attempts of {} jobs launched before the restart without a committed start are kept for "
        "their jobs",
        held_launches_.size());
  }
}

void Engine::DisownHolds(const std::string& job_id) {
  auto it = held_launches_.find(job_id);
  if (it == held_launches_.end()) return;
  for (int attempt : it->second.attempts) it->second.executor->Disown({job_id, attempt});
  held_launches_.erase(it);
}

void Engine::DisownEndedHolds(const std::vector<core::JobTransition>& transitions) {
  for (const core::JobTransition& t : transitions) {
    if (core::IsTerminal(t.to)) DisownHolds(t.job_id);
  }
}

Status Engine::CreateDefaults() {
  core::ComputeEnvironment ce;
  ce.name = "default";
  ce.arn = Arn("compute-environment", ce.name);
  ce.type = "UNMANAGED";
  ce.max_vcpus = options_.default_vcpus;
  ce.created_at = Now();
  ce.extra_json = R"({"unmanagedvCpus":)" + std::to_string(static_cast<int>(ce.max_vcpus)) + "}";
  Result<core::ComputeEnvironment> created = CreateComputeEnvironment(ce);
  if (!created.ok()) return created.status();
  core::JobQueue q;
  q.name = "default";
  q.priority = 1;
  q.compute_environments = {"default"};
  Result<core::JobQueue> queue = CreateJobQueue(q);
  if (!queue.ok()) return queue.status();
  spdlog::info("first start: created compute environment 'default' ({} vCPU) and job queue 'default'",
               ce.max_vcpus);
  return Status::Ok();
}

void Engine::Adopt(const core::Job& job) {
  const int attempt = static_cast<int>(job.attempts.size());
  exec::Executor& executor = ExecutorOf(job.compute_environment);
  switch (executor.Adopt({job.id, attempt})) {
    case exec::AdoptResult::kRunning:
      // An executor that reports starts says so again for an adopted attempt that has started.
      if (job.state == core::JobState::kStarting && !executor.ReportsStarts()) {
        scheduler_.OnLaunched(job.id, attempt, Now());
      }
      break;
    case exec::AdoptResult::kExited:
      break;  // the outcome arrives through the exit callback
    case exec::AdoptResult::kNeverStarted:
      scheduler_.OnNeverStarted(job.id, attempt, Now());
      break;
  }
}

Result<core::FinishedStates> Engine::LookUpFinished(const std::vector<const core::Job*>& jobs) {
  core::FinishedStates finished;
  std::unordered_set<std::string> active;
  for (const core::Job* job : jobs) active.insert(job->id);
  auto look_up = [&](const std::string& id) -> Status {
    if (id.empty() || active.count(id) || finished.count(id)) return Status::Ok();
    if (const core::Job* live = scheduler_.Find(id)) {
      finished[id] = live->state;
      return Status::Ok();
    }
    Result<std::optional<core::Job>> stored = GetJob(id);
    if (!stored.ok()) return stored.status();
    if (*stored) finished[id] = (*stored)->state;
    return Status::Ok();
  };
  for (const core::Job* job : jobs) {
    for (const core::Dependency& dep : job->depends_on) {
      NS_RETURN_IF_ERROR(look_up(dep.job_id));
      // An N_TO_N array's children wait on their partners, which may have finished already.
      const bool pairs = dep.type == core::DependencyType::kNToN ||
                         dep.condition == core::DependencyCondition::kAfterCorr;
      if (!pairs || job->array_size == 0 || dep.job_id.empty()) continue;
      for (int i = 0; i < job->array_size; ++i) {
        const std::string partner = dep.job_id + ":" + std::to_string(i);
        if (!scheduler_.Find(partner)) NS_RETURN_IF_ERROR(look_up(partner));
      }
    }
  }
  return finished;
}

void Engine::Stop() {
  stopped_ = true;
  timers_->wakeup.cancel();
  timers_->retry_commit.cancel();
  timers_->started_commit.Cancel();
  timers_->coalesce.Cancel();
  timers_->release_memory.cancel();
  timers_->schedule.cancel();
  // The writer's last batch ends first (its answer, posted to the loop, will find it handled);
  // then the writer is idle and what is left is committed here, in order.
  if (in_flight_ && in_flight_->writing) OnCommitted(in_flight_->generation, in_flight_->outcome.get());
  std::vector<std::pair<std::shared_ptr<store::WriteBatch>, std::shared_ptr<JobEventDrafts>>> left;
  if (in_flight_) {  // its commit failed
    Handoff failed = std::move(*std::exchange(in_flight_, std::nullopt));
    left.emplace_back(failed.batch, failed.drafts);
  }
  NoteEvents(scheduler_.TakeTransitions(), Now());
  TakeChangedJobs();
  left.emplace_back(std::make_shared<store::WriteBatch>(std::exchange(pending_, {})),
                    std::make_shared<JobEventDrafts>(std::exchange(pending_drafts_, {})));
  for (const auto& [batch, drafts] : left) {
    batch->durability = store::Durability::kProcessCrash;
    WriteEventDocs(*batch, *drafts, observe_->origin);
    if (Status st = store_.Commit(*batch); !st.ok()) spdlog::error("final commit: {}", st.ToString());
  }
  if (Status st = store_.SyncCommitted(); !st.ok()) spdlog::error("final sync: {}", st.ToString());
}

// ---------------------------------------------------------------------------------------------
// The loop turn: collect decisions, commit them in one transaction, then carry out side effects.

void Engine::ScheduleFlush() {
  if (flush_scheduled_ || stopped_) return;
  flush_scheduled_ = true;
  asio::post(io_, [this] { Flush(); });
}

void Engine::WhenDurable(std::function<void(Status)> done) {
  waiting_for_commit_.push_back(std::move(done));
  ScheduleFlush();
}

Status Engine::WritesAccepted() {
  if (!store_failure_.ok()) return store_failure_;
  if (commit_failures_ > 0) return commit_error_;
  return store_.SpaceForWrites();
}

void Engine::Flush() {
  flush_scheduled_ = false;
  if (stopped_) return;
  if (!store_failure_.ok()) {
    // After a failed flush nothing new is committed, acknowledged or launched until a restart
    // reloads the truth from the store (as PostgreSQL does after a failed fsync).
    for (auto& done : std::exchange(waiting_for_commit_, {})) done(store_failure_);
    return;
  }
  const TimeMs now = Now();
  FireDueSchedules(now);  // before dispatch: a fire's job can start in this very turn
  scheduler_.Tick(now);
  for (core::Placement& p : scheduler_.Dispatch(now)) to_launch_.push_back(std::move(p));
  // Launches first: the turn's events, runs and metrics are then off the path from an exit to
  // the start it allows (and see the transitions the launches made).
  LaunchRecorded();
  NoteTransitions(now);
  if (in_flight_) {
    // One batch at a time with the writer: this turn's changes go with the next, handed off when
    // that one is committed (OnCommitted), with everything the turns meanwhile add to it.
    commit_deferred_ = true;
  } else if (!timers_->coalesce_due && PendingCanWait()) {
    commit_deferred_ = true;
    ArmCoalesce();
  } else {
    // Even with an fsync in flight: the writer commits while the syncer flushes, and the next
    // fsync covers this batch too.
    CommitPending();
  }
  ArmWakeup();
  ArmScheduleTimer();
  for (const auto& [id, changed] : std::exchange(changed_runs_, {})) {
    auto it = runs_.find(id);
    if (run_observer_ && it != runs_.end()) run_observer_(it->second, changed.all ? nullptr : &changed.steps);
  }
}

// The turn's transitions are dropped before its commit: a turn that expands an array job has
// 200,000 of them.
void Engine::NoteTransitions(TimeMs now) {
  const std::vector<core::JobTransition> transitions = scheduler_.TakeTransitions();
  if (!held_launches_.empty()) DisownEndedHolds(transitions);
  NoteRunSteps(transitions, now);
  NoteEndedRuns(transitions, now);
  NoteEvents(transitions, now);
}

bool Engine::PendingCanWait() const {
  return waiting_for_commit_.empty() && to_launch_.empty() && !scheduler_.HasKills();
}

void Engine::ArmCoalesce() {
  timers_->coalesce.Arm(kCoalesceDelay, [this] {
    timers_->coalesce_due = true;
    ScheduleFlush();
  });
}

void Engine::CommitPending() {
  commit_deferred_ = false;
  timers_->coalesce_due = false;
  // Transitions made after Flush took its own (a job a settled run's schedule submitted).
  NoteEvents(scheduler_.TakeTransitions(), Now());
  Handoff handoff;
  handoff.generation = ++handoffs_;
  const size_t taken_from = pending_.jobs.size();
  TakeChangedJobs();
  for (size_t i = taken_from; i < pending_.jobs.size(); ++i) {
    const core::Job& job = pending_.jobs[i];
    if (core::IsTerminal(job.state)) uncommitted_finished_[job.id] = i;
  }
  handoff.launches = std::exchange(to_launch_, {});
  handoff.kills = scheduler_.TakeKills();
  handoff.waiters = std::exchange(waiting_for_commit_, {});
  // Every outcome reported so far is in this batch (TakeChangedJobs above).
  for (const auto& [kind, executor] : executors_) executor->MarkOutcomes();
  // Committed without fsync: this survives the server's death, which is all the engine's own
  // transitions need (after an OS crash the running jobs are gone anyway). What a client is
  // told must survive power loss too: acknowledgements wait for the syncer (SyncThrough).
  pending_.durability = store::Durability::kProcessCrash;
  handoff.batch = std::make_shared<store::WriteBatch>(std::exchange(pending_, store::WriteBatch{}));
  handoff.drafts = std::make_shared<JobEventDrafts>(std::exchange(pending_drafts_, {}));
  NoteHandedOff();
  handoff.handed_off_us = clock_.NowUs();
  handoff.jobs_through = next_seq_ - 1;
  in_flight_ = std::move(handoff);
  if (in_flight_->batch->empty()) {
    // Nothing to write: committed already. Its waiters still wait for an fsync, which the commits
    // before it may not have had.
    const uint64_t generation = in_flight_->generation;
    const bool needs_sync = !in_flight_->waiters.empty();
    OnCommitted(generation, Status::Ok());
    if (needs_sync) RequestSync(generation);
  } else {
    SendToWriter();
  }
}

void Engine::SendToWriter() {
  in_flight_->writing = true;
  auto answer = std::make_shared<std::promise<Status>>();
  in_flight_->outcome = answer->get_future().share();
  // The work guard keeps the loop running while the commit is outstanding.
  asio::post(timers_->writer, [this, answer, batch = in_flight_->batch, drafts = in_flight_->drafts,
                               origin = observe_->origin, generation = in_flight_->generation,
                               needs_sync = !in_flight_->waiters.empty(),
                               guard = asio::make_work_guard(io_)] {
    WriteEventDocs(*batch, *drafts, origin);
    Status st = store_.Commit(*batch);
    answer->set_value(st);
    asio::post(io_, [this, generation, st] { OnCommitted(generation, st); });
    // After OnCommitted: whatever fsync covers this batch, the loop learns of its commit first
    // (the loop runs what is posted to it in order).
    if (st.ok() && needs_sync) RequestSync(generation);
  });
}

// On the writer, or on the loop for a batch with nothing to write. The writer may still be about to
// record the batch before (its OnCommitted already run), so the count only goes up.
void Engine::RequestSync(uint64_t generation) {
  uint64_t seen = committed_generation_.load();
  while (seen < generation && !committed_generation_.compare_exchange_weak(seen, generation)) {
  }
  asio::post(timers_->syncer,
             [this, generation, guard = asio::make_work_guard(io_)] { SyncThrough(generation); });
}

// On the syncer thread. Acknowledgements need the commit on disk, not just in the page cache: one
// fdatasync covers every commit made before it started, so a batch an earlier fdatasync covered
// needs none of its own (group commit across batches). The writer hands each batch over itself,
// so that the flush starts as soon as the commit ends, not once the loop has seen it.
void Engine::SyncThrough(uint64_t generation) {
  if (synced_generation_ >= generation) return;
  const uint64_t covers = committed_generation_.load();
  Status st = store_.SyncCommitted();
  if (st.ok()) synced_generation_ = covers;
  asio::post(io_, [this, covers, st] { OnSynced(covers, st); });
}

void Engine::OnSynced(uint64_t covers, Status st) {
  if (!st.ok() && store_failure_.ok()) {
    store_failure_ = Status::Unavailable(st.message() + "; the store refuses writes until nightshift restarts");
    spdlog::critical("{}", store_failure_.message());
  }
  if (stopped_) return;
  while (!awaiting_sync_.empty() && awaiting_sync_.front().first <= covers) {
    for (auto& done : std::exchange(awaiting_sync_.front().second, {})) done(st);
    awaiting_sync_.pop_front();
  }
}

void Engine::OnCommitted(uint64_t generation, Status st) {
  if (!in_flight_ || in_flight_->generation != generation) return;  // Stop took the answer already
  in_flight_->writing = false;
  if (!st.ok()) {
    // The same batch is tried again, alone, before anything decided after it; until then nothing
    // it holds is launched or acknowledged, and new changes are refused (WritesAccepted).
    ++commit_failures_;
    commit_error_ = st;
    spdlog::error("commit failed (attempt {}): {}", commit_failures_, st.ToString());
    if (stopped_) return;
    const auto delay = std::chrono::milliseconds(std::min(1000, 10 << std::min(commit_failures_, 7)));
    timers_->retry_commit.expires_after(delay);
    timers_->retry_commit.async_wait([this](boost::system::error_code ec) {
      if (!ec && in_flight_ && !in_flight_->writing) SendToWriter();
    });
    return;
  }
  Handoff committed = std::move(*std::exchange(in_flight_, std::nullopt));
  commit_failures_ = 0;
  if (!committed.batch->empty()) {
    const size_t changes = committed.batch->jobs.size() + committed.batch->events.size();
    PublishCommitted(std::move(committed.batch->events), clock_.NowUs() - committed.handed_off_us);
    if (changes >= kBulkChanges) ArmMemoryRelease();
  }
  uncommitted_finished_.clear();  // the store has them now
  committed_jobs_through_ = committed.jobs_through;
  for (const auto& [kind, executor] : executors_) executor->OutcomesCommitted();
  if (!committed.waiters.empty()) {
    awaiting_sync_.emplace_back(generation, std::move(committed.waiters));
  }
  if (stopped_) return;
  CarryOutDecisions(committed);
  if (commit_deferred_) ScheduleFlush();  // hands off what the turns left meanwhile
}

void Engine::CarryOutDecisions(const Handoff& committed) {
  for (const core::Placement& p : committed.launches) Launch(p);
  for (const core::KillRequest& kill : committed.kills) {
    const core::Job* job = scheduler_.Find(kill.job_id);
    ExecutorOf(job ? job->compute_environment : std::string())
        .Terminate({kill.job_id, kill.attempt}, options_.terminate_grace_ms);
  }
}

// Not while commits fail: then nothing new starts until the store has taken the batch.
void Engine::LaunchRecorded() {
  if (to_launch_.empty() || commit_failures_ != 0) return;
  std::vector<core::Placement> later;
  for (core::Placement& p : std::exchange(to_launch_, {})) {
    const core::Job* job = scheduler_.Find(p.job_id);
    if (job && job->seq <= committed_jobs_through_ &&
        ExecutorOf(p.compute_environment).RecordsLaunches()) {
      Launch(p);
    } else {
      later.push_back(std::move(p));
    }
  }
  to_launch_ = std::move(later);
}

void Engine::Launch(const core::Placement& placement) {
  const core::Job* job = scheduler_.Find(placement.job_id);
  if (!job || job->state != core::JobState::kStarting) return;  // cancelled meanwhile
  const TimeMs started_at = Now();  // before the spawn: no output can be older
  Result<exec::LaunchRequest> launch = BuildLaunch(*job, placement);
  exec::Executor& executor = ExecutorOf(placement.compute_environment);
  if (auto held = held_launches_.find(placement.job_id); held != held_launches_.end()) {
    // Launched by the executor holding it, the next held attempt is re-attached; placed elsewhere
    // (its queue changed meanwhile) or not launched, it and the ones after it must not go on
    // running unwatched.
    HeldLaunch& h = held->second;
    if (h.executor == &executor && h.attempts.front() == placement.attempt && launch.ok()) {
      h.attempts.pop_front();
      if (h.attempts.empty()) held_launches_.erase(held);
    } else {
      DisownHolds(placement.job_id);
    }
  }
  Status st = launch.ok() ? executor.Launch(*launch) : launch.status();
  if (st.ok()) {
    if (!executor.ReportsStarts()) scheduler_.OnLaunched(placement.job_id, placement.attempt, started_at);
    ArmLazyCommit();
    return;
  }
  core::AttemptOutcome failed;
  failed.kind = core::AttemptOutcome::Kind::kSpawnFailed;
  failed.message = st.message();
  scheduler_.OnExited(placement.job_id, placement.attempt, failed, Now());
  ScheduleFlush();
}

// Moves the jobs the scheduler changed into pending_. A turn that expands an array job changes
// 100,000 of them: the first (usual) batch of a hand-off takes the scheduler's vector as it is.
void Engine::TakeChangedJobs() {
  std::vector<core::Job> changed = scheduler_.TakeChangedJobs();
  if (pending_.jobs.empty()) {
    pending_.jobs = std::move(changed);
    return;
  }
  pending_.jobs.insert(pending_.jobs.end(), std::make_move_iterator(changed.begin()),
                       std::make_move_iterator(changed.end()));
}

void Engine::ArmMemoryRelease() {
  // Re-armed by every bulk commit: the release follows the last of a series. (One already due
  // still runs, after the handler of the turn that re-arms it.)
  timers_->release_memory.expires_after(kMemoryReleaseDelay);
  timers_->release_memory.async_wait([](boost::system::error_code ec) {
    if (!ec) ReleaseFreeMemory();
  });
}

// Some changes need no loop turn of its own: STARTING -> RUNNING (nothing waits on it, the API
// reads the live state, and a restart adopts STARTING attempts as it adopts RUNNING ones) and
// audit records (a turn of their own after every wave of answers would double the commits of a
// busy server). The next turn commits them (usually the one the next request or exit brings);
// this timer bounds the wait.
void Engine::ArmLazyCommit() {
  timers_->started_commit.Arm(kLazyCommitDelay, [this] { ScheduleFlush(); });
}

void Engine::OnAttemptExited(const exec::AttemptKey& key, const core::AttemptOutcome& outcome) {
  scheduler_.OnExited(key.job_id, key.attempt, outcome, Now());
  ScheduleFlush();
}

void Engine::OnAttemptProgress(const exec::AttemptKey& key, const exec::Executor::StartProgress& progress) {
  if (progress.started_at) {
    scheduler_.OnLaunched(key.job_id, key.attempt, *progress.started_at);
  } else {
    scheduler_.OnStartDelayed(key.job_id, key.attempt, progress.reason, Now());
  }
  ArmLazyCommit();
}

// One timer for the earliest due fire of all schedules. It is re-armed at least every minute, so
// that a change of the wall clock (NTP step, suspend) is noticed within a minute.
void Engine::ArmScheduleTimer() {
  constexpr TimeMs kMaxWaitMs = 60'000;
  if (schedule_due_.empty()) {
    if (timers_->schedule_at) timers_->schedule.cancel();
    timers_->schedule_at.reset();
    return;
  }
  const TimeMs due = schedule_due_.begin()->first;
  if (timers_->schedule_at == due) return;
  timers_->schedule_at = due;
  // In microseconds: a wait computed from a millisecond clock would fire up to 1 ms late.
  const int64_t wait_us = std::clamp<int64_t>(due * 1000 - clock_.NowUs(), 0, kMaxWaitMs * 1000);
  timers_->schedule.expires_after(std::chrono::microseconds(wait_us));
  timers_->schedule.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    timers_->schedule_at.reset();
    ScheduleFlush();
  });
}

void Engine::ArmWakeup() {
  std::optional<TimeMs> next = scheduler_.NextWakeup();
  if (!next || (timers_->wakeup_at != 0 && timers_->wakeup_at <= *next)) return;
  timers_->wakeup_at = *next;
  timers_->wakeup.expires_after(std::chrono::milliseconds(std::max<TimeMs>(0, *next - Now())));
  timers_->wakeup.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    timers_->wakeup_at = 0;
    ScheduleFlush();
  });
}

}  // namespace nightshift::engine
