// Scheduler's explanations of where active jobs are and why (core/explanation.h).
#include <algorithm>
#include <iterator>

#include "core/job_text.h"
#include "core/scheduler.h"

namespace nightshift::core {
namespace {

std::string MustPhrase(DependencyCondition condition) {
  switch (condition) {
    case DependencyCondition::kAfterOk:
    case DependencyCondition::kAfterCorr:
      return "it must succeed";
    case DependencyCondition::kAfterAny:
      return "it must end";
    case DependencyCondition::kAfterNotOk:
      return "it must fail";
  }
  return "";
}

std::string Plural(size_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string SummaryText(const StatusSummary& summary) {
  std::string text;
  for (size_t i = 0; i < summary.size(); ++i) {
    if (summary[i] == 0) continue;
    if (!text.empty()) text += ", ";
    text += std::to_string(summary[i]) + " " +
            std::string(JobStateName(static_cast<JobState>(i)));
  }
  return text.empty() ? "none yet" : text;
}

}  // namespace

std::string Scheduler::ExplainPending(const Job& job) const {
  if (job.array_size > 0) return "Waiting for child jobs";
  size_t unmet = 0;
  std::string first;
  for (const Dependency& dep : job.depends_on) {
    const Job* d = Find(dep.job_id);
    if (!d || IsTerminal(d->state)) continue;
    if (unmet++ == 0) {
      first = "Waiting for " + DescribeJob(d->id, d->name) + ", which is " +
              std::string(JobStateName(d->state));
    }
  }
  if (unmet == 0) return "Waiting for dependencies";
  if (unmet > 1) first += " (and " + Plural(unmet - 1, "more dependency", "more dependencies") + ")";
  return first;
}

std::string Scheduler::ExplainRunnable(const Job& job, TimeMs now) const {
  if (job.not_before > now) return "Retry backoff until " + FormatTime(job.not_before);
  auto qit = queues_.find(job.queue);
  if (qit == queues_.end()) return "Job queue " + job.queue + " no longer exists";
  const Resources& needs = job.spec->resources;
  std::string detail;
  for (const std::string& name : qit->second.compute_environments) {
    auto cit = ces_.find(name);
    if (cit == ces_.end()) continue;
    if (!detail.empty()) detail += "; ";
    if (!cit->second.enabled) {
      detail += "compute environment " + name + " is DISABLED";
      continue;
    }
    detail += "compute environment " + name + " has " +
              FormatVcpus(std::max(0.0, cit->second.max_vcpus - UsedVcpus(name))) + " of " +
              FormatVcpus(cit->second.max_vcpus) + " vCPU free";
  }
  return "Waiting for capacity: needs " + FormatVcpus(needs.vcpus) + " vCPU; " + detail;
}

std::string Scheduler::Explain(const Job& job, TimeMs now) const {
  // The summary alone. Why() also gathers the facts — for a runnable job the jobs ahead of it, a
  // walk of its queue — which a page of ListJobs over a long queue paid once per job (seconds
  // with 100,000 jobs waiting).
  if (job.state == JobState::kPending) return ExplainPending(job);
  if (job.state == JobState::kRunnable && job.array_size == 0) return ExplainRunnable(job, now);
  return Why(job, now).summary;
}

Explanation Scheduler::Why(const Job& job, TimeMs now) const {
  Explanation e;
  switch (job.state) {
    case JobState::kSubmitted:
      e.summary = "Submitted; being accepted";
      break;
    case JobState::kPending:
      e.summary = ExplainPending(job);
      if (job.array_size > 0) {
        e.facts.push_back({Fact::Kind::kArray, "children: " + SummaryText(job.array_summary)});
      }
      AddDependencyFacts(job, e);
      break;
    case JobState::kRunnable:
      if (job.array_size > 0) {
        e.summary = job.status_reason;
        e.facts.push_back({Fact::Kind::kArray, "children: " + SummaryText(job.array_summary)});
        break;
      }
      e.summary = ExplainRunnable(job, now);
      if (job.not_before > now) {
        e.facts.push_back({Fact::Kind::kBackoff, "the next attempt may start at " +
                                                     FormatTime(job.not_before)});
      } else {
        AddCapacityFacts(job, e);
        AddQueueFacts(job, e);
      }
      break;
    case JobState::kStarting:
    case JobState::kRunning: {
      auto placed = placed_on_.find(job.id);
      const std::string on = placed == placed_on_.end() ? "" : " on compute environment " +
                                                                    placed->second;
      const int attempt = static_cast<int>(job.attempts.size());
      e.summary = (job.state == JobState::kStarting ? "Starting attempt " : "Running attempt ") +
                  std::to_string(attempt) + " of " + std::to_string(job.spec->retry.attempts) + on;
      if (job.state == JobState::kRunning && !job.attempts.empty()) {
        e.summary += " since " + FormatTime(job.attempts.back().started_at);
      }
      if (auto delay = start_delays_.find(job.id); job.state == JobState::kStarting && delay != start_delays_.end()) {
        e.summary += ": " + delay->second;
      }
      if (auto d = deadline_of_.find(job.id); d != deadline_of_.end()) {
        e.facts.push_back({Fact::Kind::kTimeout, "times out at " + FormatTime(d->second)});
      }
      break;
    }
    case JobState::kSucceeded:
    case JobState::kFailed:
      return ExplainEnded(job);
  }
  std::vector<Fact> attempts = AttemptFacts(job);
  e.facts.insert(e.facts.end(), attempts.begin(), attempts.end());
  return e;
}

void Scheduler::AddDependencyFacts(const Job& job, Explanation& e) const {
  for (const Dependency& dep : job.depends_on) {
    if (dep.job_id.empty()) continue;  // an array's SEQUENTIAL link to its previous child
    const Job* d = Find(dep.job_id);
    std::string text =
        d == nullptr || IsTerminal(d->state)
            ? "job " + dep.job_id + " has ended as this job needs"
            : DescribeJob(d->id, d->name) + " is " + std::string(JobStateName(d->state)) + "; " +
                  MustPhrase(dep.condition);
    e.facts.push_back({Fact::Kind::kDependency, std::move(text)});
  }
}

void Scheduler::AddCapacityFacts(const Job& job, Explanation& e) const {
  auto qit = queues_.find(job.queue);
  if (qit == queues_.end()) return;
  const Resources& needs = job.spec->resources;
  for (const std::string& name : qit->second.compute_environments) {
    auto cit = ces_.find(name);
    if (cit == ces_.end()) continue;
    const ComputeEnvironment& ce = cit->second;
    if (!ce.enabled) {
      e.facts.push_back({Fact::Kind::kComputeEnvironment,
                         "compute environment " + name + " is DISABLED: it starts no jobs"});
      continue;
    }
    size_t jobs_on = static_cast<size_t>(std::count_if(
        placed_on_.begin(), placed_on_.end(), [&](const auto& p) { return p.second == name; }));
    auto uit = usage_.find(name);
    const Usage used = uit == usage_.end() ? Usage{} : uit->second;
    std::string text = "compute environment " + name + ": " + FormatVcpus(used.vcpus) + " of " +
                       FormatVcpus(ce.max_vcpus) + " vCPU in use by " +
                       Plural(jobs_on, "job", "jobs") + "; this job needs " +
                       FormatVcpus(needs.vcpus) + " vCPU";
    if (ce.max_memory_mib > 0) {
      text += ", " + std::to_string(needs.memory_mib) + " of " +
              std::to_string(ce.max_memory_mib - used.memory_mib) + " MiB free";
    }
    e.facts.push_back({Fact::Kind::kCapacity, std::move(text)});
  }
}

void Scheduler::AddQueueFacts(const Job& job, Explanation& e) const {
  auto qit = queues_.find(job.queue);
  if (qit == queues_.end()) return;
  if (auto rit = runnable_.find(job.queue); rit != runnable_.end()) {
    const uint64_t key = job.seq * 1'000'000ULL + job.array_index.value_or(0);
    const auto ahead = static_cast<size_t>(
        std::distance(rit->second.begin(), rit->second.lower_bound(key)));
    if (ahead > 0) {
      e.facts.push_back({Fact::Kind::kQueue, Plural(ahead, "job", "jobs") + " ahead of it in queue " +
                                                 job.queue + " (first in, first out)"});
    }
  }
  const std::vector<std::string>& mine = qit->second.compute_environments;
  for (const auto& [name, queue] : queues_) {
    if (queue.priority <= qit->second.priority) continue;
    const std::vector<std::string>& theirs = queue.compute_environments;  // clang 14 cannot capture a binding
    const bool shares = std::any_of(mine.begin(), mine.end(), [&](const std::string& ce) {
      return std::find(theirs.begin(), theirs.end(), ce) != theirs.end();
    });
    auto rit = runnable_.find(name);
    if (!shares || rit == runnable_.end() || rit->second.empty()) continue;
    e.facts.push_back({Fact::Kind::kQueue,
                       "queue " + name + " (priority " + std::to_string(queue.priority) +
                           ") goes first: " +
                           Plural(rit->second.size(), "runnable job", "runnable jobs")});
  }
}

}  // namespace nightshift::core
