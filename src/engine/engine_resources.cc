// Compute environments, job queues, job definitions and tags: the Engine's resource commands.
#include <algorithm>
#include <cctype>

#include "engine/engine.h"
#include "engine/observability.h"
#include "events/event_codec.h"

namespace nightshift::engine {
namespace {

constexpr size_t kMaxNameLength = 128;
constexpr size_t kMaxQueueComputeEnvironments = 3;
constexpr size_t kMaxTags = 50;

Status ValidateName(const std::string& field, const std::string& name) {
  if (name.empty() || name.size() > kMaxNameLength) {
    return Status::InvalidArgument(field + " must be 1 to 128 characters long");
  }
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
      return Status::InvalidArgument(field + " may contain only letters, digits, hyphens and underscores: " + name);
    }
  }
  return Status::Ok();
}

}  // namespace

std::string Engine::Arn(const std::string& resource_type, const std::string& name) const {
  return events::Arn(observe_->origin, "batch", resource_type, name);
}

std::string Engine::NameFromArn(const std::string& name_or_arn, const std::string& resource_type) const {
  const std::string prefix = Arn(resource_type, "");
  if (name_or_arn.rfind(prefix, 0) == 0) return name_or_arn.substr(prefix.size());
  // Accept ARNs of any region/account the client may have composed itself.
  if (name_or_arn.rfind("arn:", 0) == 0) {
    size_t slash = name_or_arn.find('/');
    if (slash != std::string::npos && name_or_arn.find(":" + resource_type + "/") != std::string::npos) {
      return name_or_arn.substr(slash + 1);
    }
  }
  return name_or_arn;
}

void Engine::Persist(const core::ComputeEnvironment& ce) {
  pending_.compute_environments.push_back(ce);
  ScheduleFlush();
}
void Engine::Persist(const core::JobQueue& queue) {
  pending_.job_queues.push_back(queue);
  ScheduleFlush();
}
void Engine::Persist(const core::JobDefinition& definition) {
  pending_.job_definitions.push_back(definition);
  ScheduleFlush();
}

// ---------------------------------------------------------------------------------------------
// Compute environments

const core::ComputeEnvironment* Engine::FindComputeEnvironment(const std::string& name_or_arn) const {
  auto it = ces_.find(NameFromArn(name_or_arn, "compute-environment"));
  return it == ces_.end() ? nullptr : &it->second;
}

Result<core::ComputeEnvironment> Engine::CreateComputeEnvironment(core::ComputeEnvironment ce) {
  NS_RETURN_IF_ERROR(ValidateName("computeEnvironmentName", ce.name));
  if (ces_.count(ce.name)) {
    return Status::InvalidArgument("Object already exists: compute environment " + ce.name);
  }
  if (ce.max_vcpus <= 0) return Status::InvalidArgument("computeEnvironment capacity (vCPUs) must be greater than 0");
  if (!executors_.count(ce.executor)) {
    return Status::InvalidArgument("this server has no " + std::string(core::Name(ce.executor)) +
                                   " executor: start it with the " + std::string(core::Name(ce.executor)) +
                                   " settings (see `nightshift server --help`)");
  }
  if (ce.executor == core::ExecutorKind::kSlurm && ce.slurm.partition.empty()) {
    return Status::InvalidArgument("slurm.partition is required for a Slurm compute environment");
  }
  if (ce.tags.size() > kMaxTags) return Status::InvalidArgument("tags: at most 50 tags");
  ce.arn = Arn("compute-environment", ce.name);
  if (ce.created_at == 0) ce.created_at = Now();
  scheduler_.SetComputeEnvironment(ce);
  ces_[ce.name] = ce;
  Persist(ce);
  return ce;
}

Result<core::ComputeEnvironment> Engine::UpdateComputeEnvironment(const ComputeEnvironmentUpdate& u) {
  auto it = ces_.find(NameFromArn(u.name_or_arn, "compute-environment"));
  if (it == ces_.end()) return Status::InvalidArgument("computeEnvironment " + u.name_or_arn + " not found");
  if (u.max_vcpus && *u.max_vcpus <= 0) return Status::InvalidArgument("maxvCpus must be greater than 0");
  core::ComputeEnvironment& ce = it->second;
  if (u.enabled) ce.enabled = *u.enabled;
  if (u.max_vcpus) ce.max_vcpus = *u.max_vcpus;
  if (!u.extra_json.empty()) ce.extra_json = u.extra_json;
  scheduler_.SetComputeEnvironment(ce);
  Persist(ce);
  return ce;
}

Status Engine::DeleteComputeEnvironment(const std::string& name_or_arn) {
  auto it = ces_.find(NameFromArn(name_or_arn, "compute-environment"));
  if (it == ces_.end()) return Status::InvalidArgument("computeEnvironment " + name_or_arn + " not found");
  if (it->second.enabled) {
    return Status::InvalidArgument("compute environment " + it->first + " must be DISABLED before it is deleted");
  }
  for (const auto& [name, q] : queues_) {
    const auto& list = q.compute_environments;
    if (std::find(list.begin(), list.end(), it->first) != list.end()) {
      return Status::InvalidArgument("compute environment " + it->first + " is still used by job queue " + name);
    }
  }
  if (scheduler_.UsedVcpus(it->first) > 0) {
    return Status::InvalidArgument("compute environment " + it->first + " still has running jobs");
  }
  scheduler_.RemoveComputeEnvironment(it->first);
  pending_.deleted_compute_environments.push_back(it->first);
  ces_.erase(it);
  ScheduleFlush();
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Job queues

const core::JobQueue* Engine::FindJobQueue(const std::string& name_or_arn) const {
  auto it = queues_.find(NameFromArn(name_or_arn, "job-queue"));
  return it == queues_.end() ? nullptr : &it->second;
}

Result<core::JobQueue> Engine::CreateJobQueue(core::JobQueue queue) {
  NS_RETURN_IF_ERROR(ValidateName("jobQueueName", queue.name));
  if (queues_.count(queue.name)) return Status::InvalidArgument("Object already exists: job queue " + queue.name);
  if (queue.compute_environments.empty()) {
    return Status::InvalidArgument("computeEnvironmentOrder must name at least one compute environment");
  }
  if (queue.compute_environments.size() > kMaxQueueComputeEnvironments) {
    return Status::InvalidArgument("computeEnvironmentOrder: at most 3 compute environments per job queue");
  }
  for (std::string& ce : queue.compute_environments) {
    ce = NameFromArn(ce, "compute-environment");
    if (!ces_.count(ce)) return Status::InvalidArgument("computeEnvironmentOrder: compute environment " + ce + " not found");
  }
  if (queue.tags.size() > kMaxTags) return Status::InvalidArgument("tags: at most 50 tags");
  queue.arn = Arn("job-queue", queue.name);
  if (queue.created_at == 0) queue.created_at = Now();
  scheduler_.SetJobQueue(queue);
  queues_[queue.name] = queue;
  Persist(queue);
  return queue;
}

Result<core::JobQueue> Engine::UpdateJobQueue(const JobQueueUpdate& u) {
  auto it = queues_.find(NameFromArn(u.name_or_arn, "job-queue"));
  if (it == queues_.end()) return Status::InvalidArgument("jobQueue " + u.name_or_arn + " not found");
  core::JobQueue updated = it->second;
  if (u.enabled) updated.enabled = *u.enabled;
  if (u.priority) updated.priority = *u.priority;
  if (u.compute_environments) {
    if (u.compute_environments->empty() || u.compute_environments->size() > kMaxQueueComputeEnvironments) {
      return Status::InvalidArgument("computeEnvironmentOrder must name 1 to 3 compute environments");
    }
    updated.compute_environments.clear();
    for (const std::string& ce : *u.compute_environments) {
      std::string name = NameFromArn(ce, "compute-environment");
      if (!ces_.count(name)) return Status::InvalidArgument("computeEnvironmentOrder: compute environment " + name + " not found");
      updated.compute_environments.push_back(name);
    }
  }
  it->second = updated;
  scheduler_.SetJobQueue(updated);
  Persist(updated);
  return updated;
}

Status Engine::DeleteJobQueue(const std::string& name_or_arn) {
  auto it = queues_.find(NameFromArn(name_or_arn, "job-queue"));
  if (it == queues_.end()) return Status::InvalidArgument("jobQueue " + name_or_arn + " not found");
  if (it->second.enabled) return Status::InvalidArgument("job queue " + it->first + " must be DISABLED before it is deleted");
  store::JobQuery active;
  active.queue = it->first;
  active.states = {core::JobState::kSubmitted, core::JobState::kPending, core::JobState::kRunnable,
                   core::JobState::kStarting, core::JobState::kRunning};
  active.limit = 1;
  Result<store::JobPage> page = store_.ListJobs(active);
  if (!page.ok()) return page.status();
  if (!page->jobs.empty()) {
    return Status::InvalidArgument("job queue " + it->first + " still has active jobs; terminate them first");
  }
  scheduler_.RemoveJobQueue(it->first);
  pending_.deleted_job_queues.push_back(it->first);
  queues_.erase(it);
  ScheduleFlush();
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Job definitions

const core::JobDefinition* Engine::FindJobDefinition(const std::string& ref) const {
  std::string name = NameFromArn(ref, "job-definition");
  size_t colon = name.find(':');
  if (colon != std::string::npos) {
    int revision = 0;
    try {
      revision = std::stoi(name.substr(colon + 1));
    } catch (...) {
      return nullptr;
    }
    auto it = definitions_.find({name.substr(0, colon), revision});
    return it == definitions_.end() || !it->second.active ? nullptr : &it->second;
  }
  const core::JobDefinition* latest = nullptr;
  for (auto it = definitions_.lower_bound({name, 0}); it != definitions_.end() && it->first.first == name; ++it) {
    if (it->second.active) latest = &it->second;
  }
  return latest;
}

Result<core::JobDefinition> Engine::RegisterJobDefinition(core::JobDefinition def) {
  NS_RETURN_IF_ERROR(ValidateName("jobDefinitionName", def.name));
  if (def.spec.retry.attempts < 1 || def.spec.retry.attempts > 10) {
    return Status::InvalidArgument("retryStrategy.attempts must be between 1 and 10");
  }
  if (def.spec.timeout_seconds && *def.spec.timeout_seconds < 1) {
    return Status::InvalidArgument("timeout.attemptDurationSeconds must be at least 1");
  }
  if (def.tags.size() > kMaxTags) return Status::InvalidArgument("tags: at most 50 tags");
  int revision = 1;
  auto it = definitions_.lower_bound({def.name, 0});
  for (; it != definitions_.end() && it->first.first == def.name; ++it) revision = it->first.second + 1;
  def.revision = revision;
  def.arn = Arn("job-definition", def.name + ":" + std::to_string(revision));
  def.active = true;
  if (def.created_at == 0) def.created_at = Now();
  definitions_[{def.name, revision}] = def;
  Persist(def);
  return def;
}

Status Engine::DeregisterJobDefinition(const std::string& ref) {
  std::string name = NameFromArn(ref, "job-definition");
  size_t colon = name.find(':');
  if (colon == std::string::npos) {
    return Status::InvalidArgument("jobDefinition must be name:revision or an ARN with a revision: " + ref);
  }
  const core::JobDefinition* def = FindJobDefinition(name);
  if (!def) return Status::InvalidArgument("jobDefinition " + ref + " not found or already INACTIVE");
  core::JobDefinition& stored = definitions_.at({def->name, def->revision});
  stored.active = false;
  Persist(stored);
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Tags

// The resource type comes from the ARN, as in ChangeTags below.
Result<std::map<std::string, std::string>> Engine::ListTags(const std::string& arn) {
  if (arn.find(":compute-environment/") != std::string::npos) {
    if (const auto* ce = FindComputeEnvironment(arn)) return ce->tags;
  } else if (arn.find(":job-queue/") != std::string::npos) {
    if (const auto* q = FindJobQueue(arn)) return q->tags;
  } else if (arn.find(":job-definition/") != std::string::npos) {
    if (const auto* d = FindJobDefinition(arn)) return d->tags;
  } else if (arn.find(":job/") != std::string::npos) {
    Result<std::optional<core::Job>> job = GetJob(arn.substr(arn.rfind('/') + 1));
    if (!job.ok()) return job.status();
    if (*job) return (*job)->tags;
  }
  return Status::InvalidArgument("resourceArn: resource " + arn + " not found");
}

Status Engine::TagResource(const std::string& arn, const std::map<std::string, std::string>& tags) {
  auto merge = [&](std::map<std::string, std::string>& into) -> Status {
    std::map<std::string, std::string> merged = into;
    for (const auto& [k, v] : tags) merged[k] = v;
    if (merged.size() > kMaxTags) return Status::InvalidArgument("tags: at most 50 tags per resource");
    into = std::move(merged);
    return Status::Ok();
  };
  return ChangeTags(arn, merge);
}

Status Engine::UntagResource(const std::string& arn, const std::vector<std::string>& keys) {
  return ChangeTags(arn, [&](std::map<std::string, std::string>& into) {
    for (const std::string& k : keys) into.erase(k);
    return Status::Ok();
  });
}

Status Engine::ChangeTags(const std::string& arn,
                          const std::function<Status(std::map<std::string, std::string>&)>& change) {
  if (arn.find(":compute-environment/") != std::string::npos) {
    auto it = ces_.find(NameFromArn(arn, "compute-environment"));
    if (it != ces_.end()) {
      NS_RETURN_IF_ERROR(change(it->second.tags));
      Persist(it->second);
      return Status::Ok();
    }
  } else if (arn.find(":job-queue/") != std::string::npos) {
    auto it = queues_.find(NameFromArn(arn, "job-queue"));
    if (it != queues_.end()) {
      NS_RETURN_IF_ERROR(change(it->second.tags));
      scheduler_.SetJobQueue(it->second);
      Persist(it->second);
      return Status::Ok();
    }
  } else if (arn.find(":job-definition/") != std::string::npos) {
    if (const core::JobDefinition* d = FindJobDefinition(arn)) {
      core::JobDefinition& def = definitions_.at({d->name, d->revision});
      NS_RETURN_IF_ERROR(change(def.tags));
      Persist(def);
      return Status::Ok();
    }
  } else if (arn.find(":job/") != std::string::npos) {
    const std::string id = arn.substr(arn.rfind('/') + 1);
    if (id.find(':') != std::string::npos) return Status::InvalidArgument("child jobs of array jobs cannot be tagged");
    Status live = scheduler_.ChangeTags(id, change);
    if (live.code() != StatusCode::kNotFound) {
      if (live.ok()) ScheduleFlush();
      return live;
    }
    Result<std::optional<core::Job>> job = GetJob(id);
    if (!job.ok()) return job.status();
    if (*job) {
      core::Job updated = **job;
      NS_RETURN_IF_ERROR(change(updated.tags));
      pending_.jobs.push_back(std::move(updated));
      ScheduleFlush();
      return Status::Ok();
    }
  }
  return Status::InvalidArgument("resourceArn: resource " + arn + " not found");
}

}  // namespace nightshift::engine
