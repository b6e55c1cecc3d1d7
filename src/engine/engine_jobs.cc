// Job commands and queries of the Engine.
#include "engine/engine.h"

#include <algorithm>

#include "core/job_text.h"
#include "store/job_list_query.h"

namespace nightshift::engine {
namespace {

constexpr int kMaxArraySize = 100'000;
constexpr int kMaxDependencies = 20;
constexpr char kRefPrefix[] = "Ref::";

// AWS substitutes whole command elements "Ref::name"; an unknown name is left as written.
std::vector<std::string> SubstituteParameters(const std::vector<std::string>& command,
                                              const std::map<std::string, std::string>& params) {
  std::vector<std::string> out;
  out.reserve(command.size());
  for (const std::string& arg : command) {
    if (arg.rfind(kRefPrefix, 0) == 0) {
      auto it = params.find(arg.substr(sizeof(kRefPrefix) - 1));
      if (it != params.end()) {
        out.push_back(it->second);
        continue;
      }
    }
    out.push_back(arg);
  }
  return out;
}

void MergeEnvironment(std::vector<core::EnvVar>& base, const std::vector<core::EnvVar>& overrides) {
  for (const core::EnvVar& v : overrides) {
    auto it = std::find_if(base.begin(), base.end(), [&](const core::EnvVar& b) { return b.name == v.name; });
    if (it != base.end()) {
      it->value = v.value;
    } else {
      base.push_back(v);
    }
  }
}

Status ValidateShape(const SubmitJobRequest& r) {
  if (r.array_size != 0 && (r.array_size < 2 || r.array_size > kMaxArraySize)) {
    return Status::InvalidArgument("arrayProperties.size must be between 2 and " +
                                   std::to_string(kMaxArraySize) + ", got " + std::to_string(r.array_size));
  }
  if (r.depends_on.size() > kMaxDependencies) {
    return Status::InvalidArgument("dependsOn: a job can depend on at most 20 jobs");
  }
  for (size_t i = 0; i < r.depends_on.size(); ++i) {
    for (size_t k = 0; k < i; ++k) {
      if (!r.depends_on[i].job_id.empty() && r.depends_on[i].job_id == r.depends_on[k].job_id) {
        return Status::InvalidArgument("dependsOn: job " + r.depends_on[i].job_id + " is listed twice");
      }
    }
  }
  if (r.retry && (r.retry->attempts < 1 || r.retry->attempts > 10)) {
    return Status::InvalidArgument("retryStrategy.attempts must be between 1 and 10");
  }
  if (r.timeout_seconds && *r.timeout_seconds < 1) {
    return Status::InvalidArgument("timeout.attemptDurationSeconds must be at least 1");
  }
  if (r.vcpus && *r.vcpus <= 0) return Status::InvalidArgument("VCPU must be greater than 0");
  if (r.memory_mib && *r.memory_mib < 0) return Status::InvalidArgument("MEMORY must not be negative");
  for (const core::EnvVar& v : r.environment) {
    if (v.name.rfind("AWS_BATCH", 0) == 0) {
      return Status::InvalidArgument("environment variable " + v.name + ": names starting with AWS_BATCH are reserved");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<core::Job> Engine::BuildJob(const SubmitJobRequest& r, const core::JobQueue& queue,
                                   const core::JobDefinition& def) {
  auto spec = std::make_shared<core::JobSpec>(def.spec);
  std::map<std::string, std::string> params = def.parameters;
  for (const auto& [k, v] : r.parameters) params[k] = v;
  if (r.command) spec->command = *r.command;
  spec->command = SubstituteParameters(spec->command, params);
  if (spec->command.empty()) {
    return Status::InvalidArgument("job definition " + def.name + ":" + std::to_string(def.revision) +
                                   " has no command and containerOverrides.command is not given");
  }
  MergeEnvironment(spec->environment, r.environment);
  if (r.vcpus) spec->resources.vcpus = *r.vcpus;
  if (r.memory_mib) spec->resources.memory_mib = *r.memory_mib;
  if (r.retry) spec->retry = *r.retry;
  if (r.timeout_seconds) spec->timeout_seconds = r.timeout_seconds;
  if (!r.working_dir.empty()) spec->working_dir = r.working_dir;

  core::Job job;
  job.id = ids_.NewTimeOrderedUuid(Now());
  job.name = r.job_name;
  job.queue = queue.name;
  job.definition = def.name + ":" + std::to_string(def.revision);
  job.spec = std::move(spec);
  job.depends_on = r.depends_on;
  job.array_size = r.array_size;
  job.created_at = Now();
  job.share_identifier = r.share_identifier;
  job.scheduling_priority = r.scheduling_priority.value_or(def.scheduling_priority);
  job.parameters = std::move(params);
  job.tags = r.tags;
  job.extra_json = r.extra_json;
  return job;
}

Result<core::Job> Engine::SubmitJob(const SubmitJobRequest& r) {
  NS_RETURN_IF_ERROR(ValidateShape(r));
  const core::JobQueue* queue = FindJobQueue(r.job_queue);
  if (!queue) return Status::InvalidArgument("jobQueue: job queue " + r.job_queue + " not found");
  if (!queue->enabled) return Status::InvalidArgument("jobQueue: job queue " + queue->name + " is DISABLED");
  const core::JobDefinition* def = FindJobDefinition(r.job_definition);
  if (!def) return Status::InvalidArgument("jobDefinition: " + r.job_definition + " not found or not ACTIVE");
  Result<core::Job> job = BuildJob(r, *queue, *def);
  if (!job.ok()) return job.status();

  std::vector<const core::Job*> self = {&*job};
  Result<core::FinishedStates> finished = LookUpFinished(self);
  if (!finished.ok()) return finished.status();
  Result<core::FinishedArraySizes> partners = FinishedPartnerSizes(*job);
  if (!partners.ok()) return partners.status();
  NS_RETURN_IF_ERROR(scheduler_.Validate(*job, *finished, *partners));
  job->seq = next_seq_++;
  core::Job accepted = *job;
  scheduler_.Submit(std::move(*job), *finished, Now());
  ScheduleFlush();
  if (const core::Job* live = scheduler_.Find(accepted.id)) return *live;
  return accepted;
}

Result<core::FinishedArraySizes> Engine::FinishedPartnerSizes(const core::Job& job) {
  core::FinishedArraySizes sizes;
  for (const core::Dependency& dep : job.depends_on) {
    const bool pairs = dep.type == core::DependencyType::kNToN ||
                       dep.condition == core::DependencyCondition::kAfterCorr;
    if (!pairs || dep.job_id.empty() || scheduler_.Find(dep.job_id)) continue;
    Result<std::optional<core::Job>> partner = GetJob(dep.job_id);
    if (!partner.ok()) return partner.status();
    if (*partner) sizes[dep.job_id] = (*partner)->array_size;
  }
  return sizes;
}

Result<exec::LaunchRequest> Engine::BuildLaunch(const core::Job& job, const core::Placement& p) const {
  exec::LaunchRequest launch;
  if (!job.spec->image.empty()) {
    // A container's user is the one in the image (containerProperties.user); podman itself runs
    // as the server's user, so no host run-as applies.
    launch.container = exec::ContainerRequest{job.spec->image, job.spec->container, job.spec->user, job.spec->resources};
  } else {
    Result<std::string> run_as = core::ChooseRunAs(FindJobQueue(job.queue), FindComputeEnvironment(p.compute_environment),
                                                   *job.spec, options_.run_as);
    if (!run_as.ok()) return run_as.status();
    launch.run_as = std::move(*run_as);
  }
  launch.key = {job.id, p.attempt};
  launch.argv = job.spec->command;
  launch.environment = job.spec->environment;
  launch.working_dir = job.spec->working_dir;
  launch.secrets = job.spec->secrets;
  launch.resources = job.spec->resources;
  launch.timeout_seconds = job.spec->timeout_seconds;
  if (const core::ComputeEnvironment* ce = FindComputeEnvironment(p.compute_environment)) launch.slurm = ce->slurm;
  auto add = [&](const char* name, std::string value) { launch.environment.push_back({name, std::move(value)}); };
  add("AWS_BATCH_JOB_ID", job.id);
  add("AWS_BATCH_JOB_ATTEMPT", std::to_string(p.attempt));
  add("AWS_BATCH_JQ_NAME", job.queue);
  add("AWS_BATCH_CE_NAME", p.compute_environment);
  if (job.array_index) {
    add("AWS_BATCH_JOB_ARRAY_INDEX", std::to_string(*job.array_index));
    if (const core::Job* parent = scheduler_.Find(job.parent_id)) {
      add("AWS_BATCH_JOB_ARRAY_SIZE", std::to_string(parent->array_size));
    }
  }
  return launch;
}

Status Engine::CancelJob(const std::string& job_id, const std::string& reason) {
  return StopJob(job_id, scheduler_.Cancel(job_id, reason, Now()));
}

Status Engine::TerminateJob(const std::string& job_id, const std::string& reason) {
  return StopJob(job_id, scheduler_.Terminate(job_id, reason, Now()));
}

Status Engine::StopJob(const std::string& job_id, Status from_scheduler) {
  if (from_scheduler.code() != StatusCode::kNotFound) {
    ScheduleFlush();
    return from_scheduler;
  }
  // Not active: a finished job is a success without effect, as in AWS; an unknown one an error.
  Result<std::optional<core::Job>> stored = GetJob(job_id);
  if (!stored.ok()) return stored.status();
  return *stored ? Status::Ok() : Status::InvalidArgument("jobId: job " + job_id + " not found");
}

const core::Job* Engine::FindUncommitted(const std::string& job_id) const {
  if (const core::Job* live = scheduler_.Find(job_id)) return live;
  if (auto it = uncommitted_finished_.find(job_id); it != uncommitted_finished_.end()) {
    return &in_flight_->batch->jobs[it->second];
  }
  return nullptr;
}

Result<std::optional<core::Job>> Engine::GetJob(const std::string& job_id) {
  if (const core::Job* live = FindUncommitted(job_id)) return std::optional<core::Job>(*live);
  return store_.GetJob(job_id);
}

// The store lags the live state by the batches not yet committed: each listed job is shown as it
// is now, one that has meanwhile left the states asked for is left out, and one that has
// meanwhile come to match the query (entered a state asked for, or is not stored yet) is added,
// so that a job ListJobs shows agrees with DescribeJobs.
Result<store::JobPage> Engine::ListJobs(const store::JobQuery& query) {
  Result<store::JobPage> page = store_.ListJobs(query);
  if (!page.ok()) return page;
  std::erase_if(page->jobs, [&](core::Job& job) {
    if (const core::Job* live = FindUncommitted(job.id)) job = *live;
    return !query.states.empty() && query.states.count(job.state) == 0;
  });
  store::MergeIntoPage(query, UncommittedMatches(query), *page);
  return page;
}

// A job the store may show other than it is now has changed since the last hand-off, or is in
// the batch with the writer.
std::vector<core::Job> Engine::UncommittedMatches(const store::JobQuery& query) const {
  std::vector<core::Job> out;
  auto consider = [&](const std::string& id) {
    const core::Job* live = FindUncommitted(id);
    if (live && store::MatchesJobQuery(query, *live)) out.push_back(*live);
  };
  for (const std::string& id : scheduler_.changed_ids()) consider(id);
  if (in_flight_) {
    // A job's queue and parent never change: the batch's copy tells whether it is selected
    // without a lookup (the batch of an array's expansion holds 100,000 children).
    for (const core::Job& job : in_flight_->batch->jobs) {
      const bool selected = query.queue.empty() ? job.parent_id == query.array_parent
                                                : job.queue == query.queue && job.parent_id.empty();
      if (selected) consider(job.id);
    }
  }
  return out;
}

std::string Engine::Explain(const core::Job& job) const {
  if (const core::Job* live = scheduler_.Find(job.id)) return scheduler_.Explain(*live, Now());
  return job.status_reason;
}

Result<core::Explanation> Engine::Why(const std::string& job_id) {
  if (const core::Job* live = scheduler_.Find(job_id)) return scheduler_.Why(*live, Now());
  Result<std::optional<core::Job>> stored = GetJob(job_id);
  if (!stored.ok()) return stored.status();
  if (!*stored) return Status::NotFound("Job " + job_id + " not found");
  core::Explanation e = core::ExplainEnded(**stored);
  NS_RETURN_IF_ERROR(AddCascadeCause(**stored, e));
  return e;
}

// A job that failed without an attempt of its own failed because of a dependency: follow the
// unmet dependency down to the job that failed by itself, one kCause fact per link.
Status Engine::AddCascadeCause(const core::Job& job, core::Explanation& e) {
  constexpr int kMaxLinks = 1000;
  core::Job current = job;
  for (int link = 0; link < kMaxLinks; ++link) {
    if (current.state != core::JobState::kFailed || !current.attempts.empty()) break;
    std::optional<core::Job> cause;
    for (const core::Dependency& dep : current.depends_on) {
      if (dep.job_id.empty()) continue;
      Result<std::optional<core::Job>> parent = GetJob(dep.job_id);
      if (!parent.ok()) return parent.status();
      if (*parent && core::IsTerminal((*parent)->state) &&
          !core::IsSatisfiedBy(dep.condition, (*parent)->state)) {
        cause = std::move(**parent);
        break;
      }
    }
    if (!cause) break;
    e.facts.push_back({core::Fact::Kind::kCause,
                       core::DescribeJob(cause->id, cause->name) + " ended " +
                           std::string(core::JobStateName(cause->state)) + ": " +
                           cause->status_reason});
    current = std::move(*cause);
  }
  if (current.id != job.id) {
    e.summary += "; the cascade started at " + core::DescribeJob(current.id, current.name) +
                 ": " + current.status_reason;
  }
  return Status::Ok();
}

Result<std::string> Engine::LogPathForStream(const std::string& stream) const {
  // "<definition>/default/<job id>/<attempt>"
  size_t last = stream.rfind('/');
  if (last == std::string::npos || last == 0) {
    return Status::NotFound("The specified log stream does not exist.");
  }
  size_t before = stream.rfind('/', last - 1);
  if (before == std::string::npos) return Status::NotFound("The specified log stream does not exist.");
  std::string job_id = stream.substr(before + 1, last - before - 1);
  int attempt = 0;
  try {
    attempt = std::stoi(stream.substr(last + 1));
  } catch (...) {
    return Status::NotFound("The specified log stream does not exist.");
  }
  if (job_id.empty() || job_id.find("..") != std::string::npos || attempt < 1) {
    return Status::NotFound("The specified log stream does not exist.");
  }
  std::string ce;
  if (const core::Job* live = scheduler_.Find(job_id)) {
    ce = live->compute_environment;
  } else if (Result<std::optional<core::Job>> stored = store_.GetJob(job_id); stored.ok() && *stored) {
    ce = (*stored)->compute_environment;
  }
  return ExecutorOf(ce).LogPath({job_id, attempt});
}

}  // namespace nightshift::engine
