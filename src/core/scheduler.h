// Scheduler: the pure heart of nightshift. It holds every active (not yet SUCCEEDED or FAILED) job,
// the compute environments and job queues, and decides what happens next: which job waits on
// what, which runnable job goes to which compute environment, what a finished attempt means
// (success, retry, failure, cascade to dependents, array parent summary).
//
// It never reads a clock, touches a file, spawns a process or opens a socket: time comes in as
// an argument and decisions come out as values (placements, kills, changed jobs, transitions).
// The engine drives it from one loop (submit, dispatch, on launched, on exited, tick) and carries
// out its decisions. Not thread-safe; the engine's loop is the only caller.
#pragma once

#include <array>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/explanation.h"
#include "core/job.h"
#include "core/resources.h"
#include "util/clock.h"
#include "util/status.h"

namespace nightshift::core {

// States of dependencies that are no longer active (terminal jobs the engine looked up).
using FinishedStates = std::unordered_map<std::string, JobState>;
// Sizes of finished array jobs named as N_TO_N partners (the engine looked them up).
using FinishedArraySizes = std::unordered_map<std::string, int>;

// A decision to start an attempt: the job is now STARTING and capacity is reserved.
struct Placement {
  std::string job_id;
  int attempt = 1;
  std::string compute_environment;
};

// A decision to stop a running attempt (terminate or timeout).
struct KillRequest {
  std::string job_id;
  int attempt = 1;
};

struct JobTransition {
  std::string job_id;
  JobState from = JobState::kSubmitted;
  JobState to = JobState::kSubmitted;
  std::string reason;
  TimeMs at = 0;
};

// The CloudWatch log stream of an attempt: "<definition name>/default/<job id>/<attempt>".
std::string LogStreamName(const Job& job, int attempt);


// Reason texts AWS Batch uses, shared with the api layer and tests.
inline constexpr char kReasonContainerExited[] = "Essential container in task exited";
inline constexpr char kReasonTimeout[] = "Job attempt duration exceeded timeout";

class Scheduler {
 public:
  Scheduler() = default;
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // --- Configuration. The scheduler keeps its own copies.
  void SetComputeEnvironment(const ComputeEnvironment& ce);
  void RemoveComputeEnvironment(const std::string& name);
  void SetJobQueue(const JobQueue& queue);
  void RemoveJobQueue(const std::string& name);

  // --- Jobs.
  // Checks that `job` may be submitted: its queue is known, every dependency exists (active or in
  // `finished`), N_TO_N partners are arrays of the same size, no job depends on itself.
  Status Validate(const Job& job, const FinishedStates& finished,
                  const FinishedArraySizes& finished_arrays = {}) const;

  // Accepts a validated job (state SUBMITTED, id, seq and created_at set). An array parent is
  // expanded into its children. The job moves on at once: PENDING, RUNNABLE, or FAILED (a failed
  // dependency, or a job that can never fit its queue's compute environments).
  void Submit(Job job, const FinishedStates& finished, TimeMs now);

  // Reloads active jobs after a restart (as Submit, but states are kept: STARTING and RUNNING
  // jobs hold their capacity until the engine reports them exited or never started).
  void Restore(std::vector<Job> jobs, const FinishedStates& finished, TimeMs now);

  // Places runnable jobs on compute environments with free capacity: queue priority first, then
  // FIFO within a queue. A queue's head that does not fit reserves its compute environments
  // against lower-priority queues, so nothing starves.
  std::vector<Placement> Dispatch(TimeMs now);

  // The executor started the attempt: STARTING -> RUNNING.
  void OnLaunched(const std::string& job_id, int attempt, TimeMs now);
  // The executor has accepted the attempt but it has not started yet (a batch system queues it):
  // its STARTING job's statusReason becomes `reason` ("Slurm job 12 pending: Resources").
  void OnStartDelayed(const std::string& job_id, int attempt, std::string reason, TimeMs now);
  // The attempt ended: success, retry, or failure with cascade to dependents.
  void OnExited(const std::string& job_id, int attempt, const AttemptOutcome& outcome, TimeMs now);
  // After a restart: the attempt was committed as STARTING but its process never began. The
  // job goes back to RUNNABLE without spending an attempt.
  void OnNeverStarted(const std::string& job_id, int attempt, TimeMs now);

  // AWS CancelJob: jobs that have not reached STARTING fail with `reason`; others are untouched.
  // An array parent cancels its children. NotFound if the job is not active (or unknown).
  Status Cancel(const std::string& job_id, const std::string& reason, TimeMs now);
  // AWS TerminateJob: as Cancel, and STARTING/RUNNING attempts are killed (see TakeKills); they
  // end FAILED with `reason` and are not retried.
  Status Terminate(const std::string& job_id, const std::string& reason, TimeMs now);

  // Applies `change` to an active job's tags. NotFound if the job is not active.
  Status ChangeTags(const std::string& job_id,
                    const std::function<Status(std::map<std::string, std::string>&)>& change);

  // Releases jobs whose retry backoff is over and kills attempts past their timeout.
  void Tick(TimeMs now);
  // When Tick next has something to do.
  std::optional<TimeMs> NextWakeup() const;

  // --- Queries.
  const Job* Find(const std::string& job_id) const;
  // Why an active job is where it is, current as of `now`: the summary its statusReason shows
  // while it waits, and the facts behind it (core/explanation.h).
  Explanation Why(const Job& job, TimeMs now) const;
  // Why(job, now).summary.
  std::string Explain(const Job& job, TimeMs now) const;
  size_t active_count() const { return jobs_.size(); }
  const std::map<std::string, ComputeEnvironment>& compute_environments() const { return ces_; }
  // vCPUs in use on a compute environment.
  double UsedVcpus(const std::string& ce) const;
  // Active jobs (array parents and children included) per (queue, state).
  std::map<std::pair<std::string, JobState>, int> CountActive() const;

  // --- Output, drained by the engine after each step.
  // Every job changed since the last call: copies of active jobs; jobs that became terminal are
  // returned one last time (moved out) and forgotten.
  std::vector<Job> TakeChangedJobs();
  // The ids of the jobs TakeChangedJobs would return now.
  const std::unordered_set<std::string>& changed_ids() const { return changed_; }
  std::vector<JobTransition> TakeTransitions();
  std::vector<KillRequest> TakeKills();
  bool HasKills() const { return !kills_.empty(); }

 private:
  struct Usage {
    double vcpus = 0;
    int64_t memory_mib = 0;
  };
  struct Waiter {
    std::string job_id;
    size_t dependency_index = 0;  // into the job's depends_on
  };

  Job* FindMutable(const std::string& job_id);
  void Insert(Job job, const FinishedStates& finished, TimeMs now, bool restoring);
  std::vector<Job> ExpandArray(const Job& parent) const;
  void ResolveDependencies(Job& job, const FinishedStates& finished, TimeMs now);
  void ApplyDependencyOutcome(Job& job, const Dependency& dep, JobState dep_state,
                              const std::string& dep_name, TimeMs now);
  void MakeRunnableIfReady(Job& job, TimeMs now);
  void SetState(Job& job, JobState to, std::string reason, TimeMs now);
  void OnTerminal(Job& job, TimeMs now);
  void DrainCascade(TimeMs now);
  void UpdateArrayParent(const Job& child, std::optional<JobState> from, TimeMs now);
  void RestorePlacement(Job& job);
  void ArmDeadline(const Job& job, TimeMs started_at);
  void EnqueueRunnable(Job& job);
  void DequeueRunnable(const Job& job);
  std::optional<std::string> NeverFitsReason(const Job& job) const;
  bool Fits(const std::string& ce_name, const Resources& needs) const;
  void Reserve(const std::string& ce_name, const Resources& needs, int sign);
  std::string FinishFailedAttempt(Job& job, const AttemptOutcome& outcome);
  void FailOrRetry(Job& job, const AttemptOutcome& outcome, TimeMs now);
  void MarkChanged(const Job& job) { changed_.insert(job.id); }
  std::string ExplainPending(const Job& job) const;
  std::string ExplainRunnable(const Job& job, TimeMs now) const;
  void AddDependencyFacts(const Job& job, Explanation& e) const;
  void AddCapacityFacts(const Job& job, Explanation& e) const;
  void AddQueueFacts(const Job& job, Explanation& e) const;

  std::map<std::string, ComputeEnvironment> ces_;
  std::map<std::string, JobQueue> queues_;
  std::unordered_map<std::string, Usage> usage_;  // per compute environment

  std::unordered_map<std::string, Job> jobs_;  // every active job
  std::unordered_map<std::string, std::string> placed_on_;  // job id -> compute environment
  std::unordered_map<std::string, int> unmet_;  // job id -> unmet dependencies (only if some)
  std::unordered_map<std::string, std::vector<Waiter>> waiters_;  // dependency id -> waiters
  std::unordered_map<std::string, std::map<uint64_t, std::string>> runnable_;  // queue -> seq -> id
  std::multimap<TimeMs, std::string> backoff_;    // not_before -> job id (RUNNABLE, waiting)
  std::multimap<TimeMs, KillRequest> deadlines_;  // attempt timeout -> attempt
  std::unordered_map<std::string, TimeMs> deadline_of_;  // job id -> its deadline key
  std::unordered_set<std::string> timed_out_;            // attempts killed for their timeout
  std::unordered_map<std::string, std::string> terminate_reason_;  // job id -> TerminateJob reason
  std::unordered_map<std::string, std::string> start_delays_;  // STARTING job id -> executor's reason

  std::deque<std::string> cascade_;  // jobs that became terminal; their waiters still to update
  std::unordered_set<std::string> changed_;
  std::vector<JobTransition> transitions_;
  std::vector<KillRequest> kills_;
};

}  // namespace nightshift::core
