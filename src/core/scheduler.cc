#include "core/scheduler.h"

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstring>

#include "core/explanation.h"
#include "core/job_text.h"
#include "core/retry_policy.h"

namespace nightshift::core {
namespace {

std::string SignalName(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

}  // namespace

std::string LogStreamName(const Job& job, int attempt) {
  const std::string definition_name = job.definition.substr(0, job.definition.find(':'));
  return definition_name + "/default/" + job.id + "/" + std::to_string(attempt);
}

// ---------------------------------------------------------------------------------------------
// Configuration

void Scheduler::SetComputeEnvironment(const ComputeEnvironment& ce) { ces_[ce.name] = ce; }

void Scheduler::RemoveComputeEnvironment(const std::string& name) { ces_.erase(name); }

void Scheduler::SetJobQueue(const JobQueue& queue) { queues_[queue.name] = queue; }

void Scheduler::RemoveJobQueue(const std::string& name) { queues_.erase(name); }

// ---------------------------------------------------------------------------------------------
// Submission

Job* Scheduler::FindMutable(const std::string& job_id) {
  auto it = jobs_.find(job_id);
  return it == jobs_.end() ? nullptr : &it->second;
}

const Job* Scheduler::Find(const std::string& job_id) const {
  auto it = jobs_.find(job_id);
  return it == jobs_.end() ? nullptr : &it->second;
}

Status Scheduler::Validate(const Job& job, const FinishedStates& finished,
                           const FinishedArraySizes& finished_arrays) const {
  if (!queues_.count(job.queue)) return Status::NotFound("job queue " + job.queue + " not found");
  for (size_t i = 0; i < job.depends_on.size(); ++i) {
    const Dependency& dep = job.depends_on[i];
    const std::string field = "dependsOn[" + std::to_string(i) + "]";
    if (dep.job_id.empty()) {
      if (dep.type != DependencyType::kSequential || job.array_size == 0) {
        return Status::InvalidArgument(field + ".jobId is required");
      }
      continue;
    }
    if (dep.job_id == job.id) return Status::InvalidArgument(field + ": a job cannot depend on itself");
    const Job* active = Find(dep.job_id);
    if (!active && !finished.count(dep.job_id)) {
      return Status::InvalidArgument(field + ".jobId: job " + dep.job_id + " not found");
    }
    if (dep.type == DependencyType::kNToN || dep.condition == DependencyCondition::kAfterCorr) {
      if (job.array_size == 0) {
        return Status::InvalidArgument(field + ": N_TO_N needs this job to be an array job");
      }
      auto fa = finished_arrays.find(dep.job_id);
      const int partner_size = active ? active->array_size : fa == finished_arrays.end() ? 0 : fa->second;
      if (partner_size != job.array_size) {
        return Status::InvalidArgument(field + ": N_TO_N needs job " + dep.job_id +
                                       " to be an array job of size " +
                                       std::to_string(job.array_size));
      }
    }
  }
  return Status::Ok();
}

void Scheduler::Submit(Job job, const FinishedStates& finished, TimeMs now) {
  job.state = JobState::kSubmitted;
  transitions_.push_back({job.id, JobState::kSubmitted, JobState::kSubmitted, "", now});
  Insert(std::move(job), finished, now, /*restoring=*/false);
  DrainCascade(now);
}

void Scheduler::Restore(std::vector<Job> jobs, const FinishedStates& finished, TimeMs now) {
  // Parents first, so that children find their parent's summary; then in submission order.
  std::stable_sort(jobs.begin(), jobs.end(), [](const Job& a, const Job& b) {
    return a.seq != b.seq ? a.seq < b.seq : a.parent_id.empty() > b.parent_id.empty();
  });
  for (Job& job : jobs) jobs_.emplace(job.id, job);  // so dependencies among them resolve
  for (Job& job : jobs) {
    jobs_.erase(job.id);
    Insert(std::move(job), finished, now, /*restoring=*/true);
  }
  DrainCascade(now);
  changed_.clear();
  transitions_.clear();
}

void Scheduler::Insert(Job job, const FinishedStates& finished, TimeMs now, bool restoring) {
  const std::string id = job.id;
  auto [it, inserted] = jobs_.emplace(id, std::move(job));
  Job& j = it->second;
  if (!restoring) MarkChanged(j);

  if (j.array_size > 0) {
    if (!restoring) {
      SetState(j, JobState::kPending, "Waiting for child jobs", now);
      for (Job& child : ExpandArray(j)) {
        transitions_.push_back({child.id, JobState::kSubmitted, JobState::kSubmitted, "", now});
        Insert(std::move(child), finished, now, false);
      }
    }
    return;
  }
  // A restored parent's summary was committed with its children's changes.
  if (!j.parent_id.empty() && !restoring) UpdateArrayParent(j, std::nullopt, now);

  if (restoring) {
    switch (j.state) {
      case JobState::kStarting:
      case JobState::kRunning:
        RestorePlacement(j);
        return;
      case JobState::kRunnable:
        EnqueueRunnable(j);
        return;
      default:
        break;
    }
  }
  ResolveDependencies(j, finished, now);
}

std::vector<Job> Scheduler::ExpandArray(const Job& parent) const {
  std::vector<Job> children;
  children.reserve(parent.array_size);
  for (int i = 0; i < parent.array_size; ++i) {
    Job child;
    child.id = parent.id + ":" + std::to_string(i);
    child.name = parent.name;
    child.queue = parent.queue;
    child.definition = parent.definition;
    child.spec = parent.spec;
    child.array_index = i;
    child.parent_id = parent.id;
    child.created_at = parent.created_at;
    child.seq = parent.seq;
    child.share_identifier = parent.share_identifier;
    child.scheduling_priority = parent.scheduling_priority;
    for (const Dependency& dep : parent.depends_on) {
      if (dep.job_id.empty()) {  // SEQUENTIAL: each child waits for the one before it
        if (i > 0) child.depends_on.push_back({parent.id + ":" + std::to_string(i - 1)});
      } else if (dep.type == DependencyType::kNToN ||
                 dep.condition == DependencyCondition::kAfterCorr) {
        child.depends_on.push_back(
            {dep.job_id + ":" + std::to_string(i), DependencyType::kStandard, dep.condition});
      } else {
        child.depends_on.push_back(dep);
      }
    }
    children.push_back(std::move(child));
  }
  return children;
}

void Scheduler::ResolveDependencies(Job& job, const FinishedStates& finished, TimeMs now) {
  int unmet = 0;
  for (const Dependency& dep : job.depends_on) {
    const Job* active = Find(dep.job_id);
    if (active && !IsTerminal(active->state)) {
      waiters_[dep.job_id].push_back({job.id, 0});
      ++unmet;
      continue;
    }
    JobState state = active ? active->state : JobState::kFailed;
    std::string name = active ? active->name : "";
    if (!active) {
      auto f = finished.find(dep.job_id);
      if (f != finished.end()) state = f->second;
    }
    ApplyDependencyOutcome(job, dep, state, name, now);
    if (IsTerminal(job.state)) return;
  }
  if (unmet > 0) {
    unmet_[job.id] = unmet;
    SetState(job, JobState::kPending, ExplainPending(job), now);
  } else {
    MakeRunnableIfReady(job, now);
  }
}

void Scheduler::ApplyDependencyOutcome(Job& job, const Dependency& dep, JobState dep_state,
                                       const std::string& dep_name, TimeMs now) {
  if (IsSatisfiedBy(dep.condition, dep_state)) return;
  std::string reason = "Dependency " + DescribeJob(dep.job_id, dep_name) + " ended " +
                       std::string(JobStateName(dep_state));
  if (dep.condition == DependencyCondition::kAfterNotOk) reason += " (this job runs only on failure)";
  SetState(job, JobState::kFailed, std::move(reason), now);
}

void Scheduler::MakeRunnableIfReady(Job& job, TimeMs now) {
  if (auto never = NeverFitsReason(job)) {
    SetState(job, JobState::kFailed, *never, now);
    return;
  }
  SetState(job, JobState::kRunnable, "", now);
  job.status_reason = ExplainRunnable(job, now);
  EnqueueRunnable(job);
}

// ---------------------------------------------------------------------------------------------
// State changes and cascades

void Scheduler::SetState(Job& job, JobState to, std::string reason, TimeMs now) {
  JobState from = job.state;
  job.state = to;
  job.status_reason = std::move(reason);
  MarkChanged(job);
  if (from != to) transitions_.push_back({job.id, from, to, job.status_reason, now});
  if (!job.parent_id.empty() && from != to) UpdateArrayParent(job, from, now);
  if (IsTerminal(to) && !IsTerminal(from)) OnTerminal(job, now);
}

void Scheduler::OnTerminal(Job& job, TimeMs now) {
  job.stopped_at = now;
  start_delays_.erase(job.id);
  DequeueRunnable(job);
  if (job.array_size > 0) {
    // A parent can end before its children only by cancel/terminate; those fail the children.
    for (int i = 0; i < job.array_size; ++i) {
      Job* child = FindMutable(job.id + ":" + std::to_string(i));
      if (child && !HasStarted(child->state)) {
        child->is_cancelled = job.is_cancelled;
        SetState(*child, JobState::kFailed, job.status_reason, now);
      }
    }
  }
  cascade_.push_back(job.id);
}

void Scheduler::DrainCascade(TimeMs now) {
  // A worklist, not recursion: a failed head of a 100,000-job chain must not overflow the stack.
  while (!cascade_.empty()) {
    std::string done_id = std::move(cascade_.front());
    cascade_.pop_front();
    auto wit = waiters_.find(done_id);
    if (wit == waiters_.end()) continue;
    std::vector<Waiter> waiters = std::move(wit->second);
    waiters_.erase(wit);
    const Job* done = Find(done_id);
    if (!done) continue;
    const JobState done_state = done->state;
    const std::string done_name = done->name;
    for (const Waiter& w : waiters) {
      Job* job = FindMutable(w.job_id);
      if (!job || IsTerminal(job->state)) continue;
      for (const Dependency& dep : job->depends_on) {
        if (dep.job_id != done_id) continue;
        ApplyDependencyOutcome(*job, dep, done_state, done_name, now);
        if (IsTerminal(job->state)) break;
        if (--unmet_[job->id] == 0 && job->state == JobState::kPending) {
          MakeRunnableIfReady(*job, now);
        }
      }
      if (job->state == JobState::kPending) job->status_reason = ExplainPending(*job);
    }
  }
}

void Scheduler::UpdateArrayParent(const Job& child, std::optional<JobState> from, TimeMs now) {
  Job* parent = FindMutable(child.parent_id);
  if (!parent) return;
  StatusSummary& s = parent->array_summary;
  if (from) --s[static_cast<size_t>(*from)];
  ++s[static_cast<size_t>(child.state)];
  if (IsTerminal(parent->state)) return;

  const int succeeded = s[static_cast<size_t>(JobState::kSucceeded)];
  const int failed = s[static_cast<size_t>(JobState::kFailed)];
  const int size = parent->array_size;
  if (succeeded + failed == size) {
    if (failed == 0) {
      SetState(*parent, JobState::kSucceeded, "All " + std::to_string(size) + " child jobs succeeded", now);
    } else {
      SetState(*parent, JobState::kFailed,
               std::to_string(failed) + " of " + std::to_string(size) + " child jobs failed", now);
    }
    return;
  }
  const bool any_started = succeeded + failed + s[static_cast<size_t>(JobState::kStarting)] +
                               s[static_cast<size_t>(JobState::kRunning)] > 0;
  if (any_started && parent->state != JobState::kRunning) {
    SetState(*parent, JobState::kRunning, "", now);
  }
  MarkChanged(*parent);  // its statusSummary changed
}

// ---------------------------------------------------------------------------------------------
// Capacity and dispatch

void Scheduler::EnqueueRunnable(Job& job) {
  if (job.not_before > 0) {
    backoff_.emplace(job.not_before, job.id);
    return;
  }
  runnable_[job.queue].emplace(job.seq * 1'000'000ULL + job.array_index.value_or(0), job.id);
}

void Scheduler::DequeueRunnable(const Job& job) {
  auto qit = runnable_.find(job.queue);
  if (qit != runnable_.end()) qit->second.erase(job.seq * 1'000'000ULL + job.array_index.value_or(0));
}

std::optional<std::string> Scheduler::NeverFitsReason(const Job& job) const {
  auto qit = queues_.find(job.queue);
  if (qit == queues_.end()) return "Job queue " + job.queue + " no longer exists";
  const Resources& needs = job.spec->resources;
  double largest_vcpus = 0;
  int64_t largest_memory = 0;
  for (const std::string& name : qit->second.compute_environments) {
    auto cit = ces_.find(name);
    if (cit == ces_.end()) continue;
    const ComputeEnvironment& ce = cit->second;
    const bool memory_fits = ce.max_memory_mib == 0 || needs.memory_mib <= ce.max_memory_mib;
    if (needs.vcpus <= ce.max_vcpus && memory_fits) return std::nullopt;
    largest_vcpus = std::max(largest_vcpus, ce.max_vcpus);
    largest_memory = std::max(largest_memory, ce.max_memory_mib);
  }
  if (qit->second.compute_environments.empty()) {
    return "Job queue " + job.queue + " has no compute environment";
  }
  std::string reason = "Job can never run: needs " + FormatVcpus(needs.vcpus) + " vCPU";
  if (needs.memory_mib > 0) reason += " and " + std::to_string(needs.memory_mib) + " MiB";
  reason += ", but the largest compute environment of job queue " + job.queue + " has " +
            FormatVcpus(largest_vcpus) + " vCPU";
  if (largest_memory > 0) reason += " and " + std::to_string(largest_memory) + " MiB";
  return reason;
}

bool Scheduler::Fits(const std::string& ce_name, const Resources& needs) const {
  auto cit = ces_.find(ce_name);
  if (cit == ces_.end() || !cit->second.enabled) return false;
  auto uit = usage_.find(ce_name);
  const Usage used = uit == usage_.end() ? Usage{} : uit->second;
  const ComputeEnvironment& ce = cit->second;
  if (used.vcpus + needs.vcpus > ce.max_vcpus + 1e-9) return false;
  return ce.max_memory_mib == 0 || used.memory_mib + needs.memory_mib <= ce.max_memory_mib;
}

void Scheduler::Reserve(const std::string& ce_name, const Resources& needs, int sign) {
  Usage& u = usage_[ce_name];
  u.vcpus = std::max(0.0, u.vcpus + sign * needs.vcpus);
  u.memory_mib = std::max<int64_t>(0, u.memory_mib + sign * needs.memory_mib);
}

double Scheduler::UsedVcpus(const std::string& ce) const {
  auto it = usage_.find(ce);
  return it == usage_.end() ? 0 : it->second.vcpus;
}

std::map<std::pair<std::string, JobState>, int> Scheduler::CountActive() const {
  std::map<std::pair<std::string, JobState>, int> counts;
  for (const auto& [id, job] : jobs_) ++counts[{job.queue, job.state}];
  return counts;
}

std::vector<Placement> Scheduler::Dispatch(TimeMs now) {
  std::vector<const JobQueue*> order;
  for (const auto& [name, q] : queues_) order.push_back(&q);
  std::stable_sort(order.begin(), order.end(),
                   [](const JobQueue* a, const JobQueue* b) { return a->priority > b->priority; });

  std::vector<Placement> placements;
  std::unordered_set<std::string> reserved;  // CEs held for a blocked higher-priority head
  for (const JobQueue* queue : order) {
    auto rit = runnable_.find(queue->name);
    if (rit == runnable_.end()) continue;
    auto& fifo = rit->second;
    for (auto it = fifo.begin(); it != fifo.end();) {
      Job& job = jobs_.at(it->second);
      const Resources& needs = job.spec->resources;
      const std::string* chosen = nullptr;
      for (const std::string& ce : queue->compute_environments) {
        if (!reserved.count(ce) && Fits(ce, needs)) {
          chosen = &ce;
          break;
        }
      }
      if (!chosen) {
        if (auto never = NeverFitsReason(job)) {
          it = fifo.erase(it);
          SetState(job, JobState::kFailed, *never, now);
          continue;
        }
        for (const std::string& ce : queue->compute_environments) reserved.insert(ce);
        break;
      }
      it = fifo.erase(it);
      Reserve(*chosen, needs, +1);
      placed_on_[job.id] = *chosen;
      job.compute_environment = *chosen;
      Attempt& attempt = job.attempts.emplace_back();
      attempt.log_stream_name = LogStreamName(job, static_cast<int>(job.attempts.size()));
      SetState(job, JobState::kStarting, "Starting on compute environment " + *chosen, now);
      placements.push_back({job.id, static_cast<int>(job.attempts.size()), *chosen});
    }
  }
  DrainCascade(now);
  return placements;
}

// ---------------------------------------------------------------------------------------------
// Attempts

void Scheduler::RestorePlacement(Job& job) {
  placed_on_[job.id] = job.compute_environment;
  Reserve(job.compute_environment, job.spec->resources, +1);
  if (job.state == JobState::kRunning && job.spec->timeout_seconds && !job.attempts.empty()) {
    ArmDeadline(job, job.attempts.back().started_at);
  }
}

void Scheduler::ArmDeadline(const Job& job, TimeMs started_at) {
  TimeMs deadline = started_at + *job.spec->timeout_seconds * 1000;
  deadlines_.emplace(deadline, KillRequest{job.id, static_cast<int>(job.attempts.size())});
  deadline_of_[job.id] = deadline;
}

void Scheduler::OnLaunched(const std::string& job_id, int attempt, TimeMs now) {
  Job* job = FindMutable(job_id);
  if (!job || job->state != JobState::kStarting || static_cast<int>(job->attempts.size()) != attempt) {
    return;
  }
  start_delays_.erase(job_id);
  job->attempts.back().started_at = now;
  if (job->started_at == 0) job->started_at = now;
  SetState(*job, JobState::kRunning, "", now);
  if (job->spec->timeout_seconds) ArmDeadline(*job, now);
}

void Scheduler::OnStartDelayed(const std::string& job_id, int attempt, std::string reason, TimeMs now) {
  Job* job = FindMutable(job_id);
  if (!job || job->state != JobState::kStarting || static_cast<int>(job->attempts.size()) != attempt ||
      start_delays_[job_id] == reason) {
    return;
  }
  start_delays_[job_id] = reason;
  SetState(*job, JobState::kStarting, std::move(reason), now);
}

void Scheduler::OnNeverStarted(const std::string& job_id, int attempt, TimeMs now) {
  Job* job = FindMutable(job_id);
  if (!job || attempt < 1 || static_cast<int>(job->attempts.size()) != attempt || IsTerminal(job->state)) {
    return;
  }
  start_delays_.erase(job_id);
  job->attempts.pop_back();
  auto pit = placed_on_.find(job_id);
  if (pit != placed_on_.end()) {
    Reserve(pit->second, job->spec->resources, -1);
    placed_on_.erase(pit);
  }
  SetState(*job, JobState::kRunnable, "", now);
  EnqueueRunnable(*job);
}

std::string Scheduler::FinishFailedAttempt(Job& job, const AttemptOutcome& outcome) {
  Attempt& a = job.attempts.back();
  switch (outcome.kind) {
    case AttemptOutcome::Kind::kExited:
      a.exit_code = outcome.exit_code;
      break;
    case AttemptOutcome::Kind::kSignaled:
      a.exit_code = 128 + outcome.signal;  // as container runtimes report it
      a.reason = "Killed by " + SignalName(outcome.signal);
      break;
    case AttemptOutcome::Kind::kSpawnFailed:
      a.reason = "CannotStartContainerError: " + outcome.message;
      break;
    case AttemptOutcome::Kind::kLost:
      a.reason = "SupervisorLost: " + outcome.message;
      break;
  }
  if (!outcome.reason.empty()) a.reason = outcome.reason;  // the executor knows better
  if (timed_out_.count(job.id)) return kReasonTimeout;
  if (auto t = terminate_reason_.find(job.id); t != terminate_reason_.end()) return t->second;
  // A container that never started says why in the job's statusReason, as AWS shows
  // CannotPullContainerError there.
  if (outcome.kind == AttemptOutcome::Kind::kSpawnFailed) return outcome.reason.empty() ? "Task failed to start" : outcome.reason;
  return kReasonContainerExited;
}

void Scheduler::OnExited(const std::string& job_id, int attempt, const AttemptOutcome& outcome,
                         TimeMs now) {
  Job* job = FindMutable(job_id);
  if (!job || static_cast<int>(job->attempts.size()) != attempt || IsTerminal(job->state)) return;
  start_delays_.erase(job_id);
  if (auto pit = placed_on_.find(job_id); pit != placed_on_.end()) {
    Reserve(pit->second, job->spec->resources, -1);
    placed_on_.erase(pit);
  }
  if (auto d = deadline_of_.find(job_id); d != deadline_of_.end()) {
    auto range = deadlines_.equal_range(d->second);
    for (auto it = range.first; it != range.second; ++it) {
      if (it->second.job_id == job_id) {
        deadlines_.erase(it);
        break;
      }
    }
    deadline_of_.erase(d);
  }
  Attempt& a = job->attempts.back();
  if (outcome.started_at) {  // the executor saw the process start: more exact than OnLaunched
    if (job->started_at == a.started_at) job->started_at = outcome.started_at;
    a.started_at = outcome.started_at;
  }
  if (a.started_at == 0) a.started_at = now;
  if (job->started_at == 0) job->started_at = a.started_at;
  a.stopped_at = outcome.stopped_at ? outcome.stopped_at : now;
  a.status_reason = FinishFailedAttempt(*job, outcome);

  const bool stopped_by_us = timed_out_.count(job_id) || terminate_reason_.count(job_id);
  if (outcome.kind == AttemptOutcome::Kind::kExited && outcome.exit_code == 0 && !stopped_by_us) {
    SetState(*job, JobState::kSucceeded, kReasonContainerExited, now);
  } else {
    FailOrRetry(*job, outcome, now);
  }
  DrainCascade(now);
}

void Scheduler::FailOrRetry(Job& job, const AttemptOutcome& outcome, TimeMs now) {
  const Attempt& a = job.attempts.back();
  const bool stopped_by_us = timed_out_.count(job.id) || terminate_reason_.count(job.id);
  const int made = static_cast<int>(job.attempts.size());
  if (!stopped_by_us && DecideRetry(job.spec->retry, a, made) == RetryAction::kRetry) {
    std::string reason = "Retrying: attempt " + std::to_string(made) + " of " +
                         std::to_string(job.spec->retry.attempts) + " failed (" +
                         (a.exit_code ? "exit code " + std::to_string(*a.exit_code) : a.reason) +
                         ")";
    if (const auto& backoff = job.spec->retry.backoff) {
      const uint64_t seed = std::hash<std::string>{}(job.id) ^ static_cast<uint64_t>(made);
      job.not_before = now + std::max<TimeMs>(1, RetryDelayMs(*backoff, made, seed));
      reason += "; backoff until " + FormatTime(job.not_before);
    }
    SetState(job, JobState::kRunnable, std::move(reason), now);
    EnqueueRunnable(job);
    return;
  }
  SetState(job, JobState::kFailed, a.status_reason, now);
}

Status Scheduler::Cancel(const std::string& job_id, const std::string& reason, TimeMs now) {
  Job* job = FindMutable(job_id);
  if (!job) return Status::NotFound("job " + job_id + " is not active");
  if (job->array_size > 0) {
    for (int i = 0; i < job->array_size; ++i) {
      Job* child = FindMutable(job_id + ":" + std::to_string(i));
      if (child && !HasStarted(child->state)) {
        child->is_cancelled = true;
        SetState(*child, JobState::kFailed, reason, now);
      }
    }
  } else if (!HasStarted(job->state)) {
    job->is_cancelled = true;
    SetState(*job, JobState::kFailed, reason, now);
  }
  DrainCascade(now);
  return Status::Ok();
}

Status Scheduler::Terminate(const std::string& job_id, const std::string& reason, TimeMs now) {
  Job* job = FindMutable(job_id);
  if (!job) return Status::NotFound("job " + job_id + " is not active");
  std::vector<Job*> targets;
  if (job->array_size > 0) {
    for (int i = 0; i < job->array_size; ++i) {
      if (Job* child = FindMutable(job_id + ":" + std::to_string(i))) targets.push_back(child);
    }
  } else {
    targets.push_back(job);
  }
  for (Job* t : targets) {
    if (IsTerminal(t->state)) continue;
    t->is_terminated = true;
    if (HasStarted(t->state)) {
      terminate_reason_[t->id] = reason;
      kills_.push_back({t->id, static_cast<int>(t->attempts.size())});
      MarkChanged(*t);
    } else {
      SetState(*t, JobState::kFailed, reason, now);
    }
  }
  DrainCascade(now);
  return Status::Ok();
}

Status Scheduler::ChangeTags(const std::string& job_id,
                             const std::function<Status(std::map<std::string, std::string>&)>& change) {
  Job* job = FindMutable(job_id);
  if (!job) return Status::NotFound("job " + job_id + " is not active");
  NS_RETURN_IF_ERROR(change(job->tags));
  MarkChanged(*job);
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Time

void Scheduler::Tick(TimeMs now) {
  while (!backoff_.empty() && backoff_.begin()->first <= now) {
    std::string id = backoff_.begin()->second;
    backoff_.erase(backoff_.begin());
    if (Job* job = FindMutable(id); job && job->state == JobState::kRunnable) {
      job->not_before = 0;
      EnqueueRunnable(*job);
    }
  }
  while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
    KillRequest kill = deadlines_.begin()->second;
    deadlines_.erase(deadlines_.begin());
    deadline_of_.erase(kill.job_id);
    timed_out_.insert(kill.job_id);
    kills_.push_back(kill);
  }
}

std::optional<TimeMs> Scheduler::NextWakeup() const {
  std::optional<TimeMs> next;
  if (!backoff_.empty()) next = backoff_.begin()->first;
  if (!deadlines_.empty()) {
    TimeMs d = deadlines_.begin()->first;
    next = next ? std::min(*next, d) : d;
  }
  return next;
}

// ---------------------------------------------------------------------------------------------
// Output

std::vector<Job> Scheduler::TakeChangedJobs() {
  std::vector<Job> out;
  out.reserve(changed_.size());
  for (const std::string& id : changed_) {
    auto it = jobs_.find(id);
    if (it == jobs_.end()) continue;
    if (!IsTerminal(it->second.state)) {
      out.push_back(it->second);
      continue;
    }
    // Forgotten: moved out and its entry freed at once, so that a turn that ends an array's
    // 100,000 children does not hold each of them twice.
    out.push_back(std::move(jobs_.extract(it).mapped()));
    unmet_.erase(id);
    terminate_reason_.erase(id);
    timed_out_.erase(id);
  }
  changed_.clear();
  return out;
}

std::vector<JobTransition> Scheduler::TakeTransitions() { return std::exchange(transitions_, {}); }

std::vector<KillRequest> Scheduler::TakeKills() { return std::exchange(kills_, {}); }

}  // namespace nightshift::core
