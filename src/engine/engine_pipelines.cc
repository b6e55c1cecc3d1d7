// Pipelines: versions of pipeline files, and runs whose steps are jobs. A run submits every step
// at once as a job with dependencies, so the scheduler — not the run — decides when each starts;
// step states follow their jobs' transitions in the same loop turn. A run is persisted when it
// starts, is rerun or cancelled, and when it ends; in between, its step states are derived from
// its jobs (also after a restart), so a 10,000-step run does not rewrite itself per transition.
#include "engine/engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>

namespace nightshift::engine {
namespace {

constexpr char kStepDefinition[] = "nightshift-pipeline-step";

std::string PipelineTargetArn(const std::string& name) {
  return std::string(core::kPipelineTargetArnPrefix) + name;
}

core::DependencyCondition ConditionOf(pipeline::StepCondition c) {
  switch (c) {
    case pipeline::StepCondition::kSuccess: return core::DependencyCondition::kAfterOk;
    case pipeline::StepCondition::kFailure: return core::DependencyCondition::kAfterNotOk;
    case pipeline::StepCondition::kCompletion: return core::DependencyCondition::kAfterAny;
  }
  return core::DependencyCondition::kAfterOk;
}

std::string Digest(const std::string& source, const std::string& base_dir) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a: a change detector, not a security measure
  for (unsigned char c : source) h = (h ^ c) * 1099511628211ULL;
  h = (h ^ 0xff) * 1099511628211ULL;
  for (unsigned char c : base_dir) h = (h ^ c) * 1099511628211ULL;
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

std::string ProblemText(const std::vector<pipeline::Problem>& problems) {
  std::string text = "the pipeline file has " + std::to_string(problems.size()) +
                     (problems.size() == 1 ? " problem:" : " problems:");
  for (const pipeline::Problem& p : problems) {
    text += "\n" + std::to_string(p.pos.line) + ":" + std::to_string(p.pos.column) + ": " + p.message;
  }
  return text;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Versions

Result<Engine::AppliedPipeline> Engine::ApplyPipeline(const std::string& source, const std::string& base_dir,
                                                      std::vector<pipeline::Problem>* problems) {
  pipeline::ParseResult parsed = pipeline::ParsePipeline(source);
  if (!parsed.spec) {
    if (problems) *problems = parsed.problems;
    return Status::InvalidArgument(ProblemText(parsed.problems));
  }
  const pipeline::PipelineSpec& spec = *parsed.spec;
  for (const pipeline::StepSpec& step : spec.steps) {
    if (!step.definition.empty() && !FindJobDefinition(step.definition)) {
      return Status::InvalidArgument("steps." + step.name + ".definition: job definition " + step.definition +
                                     " does not exist");
    }
    if (!step.queue.empty() && !FindJobQueue(step.queue)) {
      return Status::InvalidArgument("steps." + step.name + ".queue: job queue " + step.queue + " does not exist");
    }
  }
  if (spec.schedule) {
    // The schedule must be valid before anything changes.
    core::Schedule probe;
    probe.group = core::kPipelineScheduleGroup;
    probe.name = spec.name;
    probe.expression = spec.schedule->expression;
    probe.timezone = spec.schedule->timezone;
    probe.anchor = Now();
    Result<schedule::Timetable> timetable = BuildTimetable(probe);
    if (!timetable.ok()) return Status::InvalidArgument("schedule." + timetable.status().message());
  }
  NS_RETURN_IF_ERROR(EnsureStepDefinition(""));
  for (const pipeline::StepSpec& step : spec.steps) {
    if (!step.image.empty()) NS_RETURN_IF_ERROR(EnsureStepDefinition(step.image));
  }

  PipelineEntry& entry = pipelines_[spec.name];
  const std::string digest = Digest(source, base_dir);
  AppliedPipeline result;
  const core::PipelineVersion* latest = entry.versions.empty() ? nullptr : &entry.versions.rbegin()->second;
  if (latest && !latest->deleted && latest->digest == digest) {
    result.version = *latest;
  } else {
    core::PipelineVersion v;
    v.name = spec.name;
    v.version = latest ? latest->version + 1 : 1;
    v.source = source;
    v.base_dir = base_dir;
    v.digest = digest;
    v.created_at = Now();
    entry.versions[v.version] = v;
    entry.specs.emplace(v.version, spec);
    pending_.pipeline_versions.push_back(v);
    result.version = v;
    result.changed = true;
    spdlog::info("pipeline {} version {} applied ({} steps)", v.name, v.version, spec.steps.size());
  }
  NS_RETURN_IF_ERROR(SyncPipelineSchedule(spec.name, &spec));
  ScheduleFlush();
  return result;
}

// A step with a command runs through an internal job definition: a host process, or one per
// container image its steps name (named by a digest of the image).
std::string Engine::StepDefinitionName(const std::string& image) {
  return image.empty() ? kStepDefinition : std::string(kStepDefinition) + "-image-" + Digest(image, "");
}

Status Engine::EnsureStepDefinition(const std::string& image) {
  const std::string name = StepDefinitionName(image);
  if (FindJobDefinition(name)) return Status::Ok();
  core::JobDefinition d;
  d.name = name;
  d.spec.image = image;
  d.spec.command = {"true"};  // every step overrides it
  Result<core::JobDefinition> registered = RegisterJobDefinition(d);
  return registered.ok() ? Status::Ok() : registered.status();
}

// The pipeline's schedule lives in group "pipelines" under the pipeline's name, and follows the
// file: created, updated (keeping its progress) or deleted with it.
Status Engine::SyncPipelineSchedule(const std::string& name, const pipeline::PipelineSpec* spec) {
  const core::Schedule* existing = FindSchedule(core::kPipelineScheduleGroup, name);
  if (!spec || !spec->schedule) {
    return existing ? DeleteSchedule(core::kPipelineScheduleGroup, name) : Status::Ok();
  }
  const pipeline::ScheduleSpec& ss = *spec->schedule;
  core::Schedule s = existing ? *existing : core::Schedule{};
  s.group = core::kPipelineScheduleGroup;
  s.name = name;
  s.description = "the schedule of pipeline " + name;
  s.expression = ss.expression;
  s.timezone = ss.timezone;
  Result<schedule::GapPolicy> gap = schedule::ParseGapPolicy(ss.dst_gap);
  Result<schedule::RepeatPolicy> repeat = schedule::ParseRepeatPolicy(ss.dst_repeat);
  Result<core::OverlapPolicy> overlap = core::ParseOverlapPolicy(ss.overlap);
  Result<core::CatchUpPolicy> catch_up = core::ParseCatchUpPolicy(ss.catch_up);
  for (const Status& st : {gap.status(), repeat.status(), overlap.status(), catch_up.status()}) {
    if (!st.ok()) return Status::InvalidArgument("schedule: " + st.message());
  }
  s.dst = {*gap, *repeat};
  s.overlap = *overlap;
  s.catch_up = *catch_up;
  s.catch_up_window_ms = ss.catch_up_window_seconds ? *ss.catch_up_window_seconds * 1000 : core::kDefaultCatchUpWindowMs;
  s.flexible_window_minutes = ss.jitter_minutes;
  s.max_active_runs = ss.max_active_runs;
  s.state = ss.enabled ? core::ScheduleState::kEnabled : core::ScheduleState::kDisabled;
  s.target = {PipelineTargetArn(name), "", "", ""};
  Result<core::Schedule> done = existing ? UpdateSchedule(s) : CreateSchedule(s);
  return done.ok() ? Status::Ok() : done.status();
}

Status Engine::DeletePipeline(const std::string& name) {
  auto it = pipelines_.find(name);
  if (it == pipelines_.end() || it->second.versions.rbegin()->second.deleted) {
    return Status::NotFound("pipeline " + name + " does not exist");
  }
  // Versions stay (deleted) for the runs that used them; a later apply starts a new version.
  for (auto& [version, v] : it->second.versions) {
    if (v.deleted) continue;
    v.deleted = true;
    pending_.pipeline_versions.push_back(v);
  }
  NS_RETURN_IF_ERROR(SyncPipelineSchedule(name, nullptr));
  ScheduleFlush();
  return Status::Ok();
}

const core::PipelineVersion* Engine::FindPipeline(const std::string& name) const {
  auto it = pipelines_.find(name);
  if (it == pipelines_.end() || it->second.versions.empty()) return nullptr;
  const core::PipelineVersion& latest = it->second.versions.rbegin()->second;
  return latest.deleted ? nullptr : &latest;
}

std::vector<const core::PipelineVersion*> Engine::Pipelines() const {
  std::vector<const core::PipelineVersion*> out;
  for (const auto& [name, entry] : pipelines_) {
    if (const core::PipelineVersion* v = FindPipeline(name)) out.push_back(v);
  }
  return out;
}

const pipeline::PipelineSpec* Engine::PipelineSpecOf(const std::string& name, int version) {
  auto it = pipelines_.find(name);
  if (it == pipelines_.end()) return nullptr;
  PipelineEntry& entry = it->second;
  if (auto spec = entry.specs.find(version); spec != entry.specs.end()) return &spec->second;
  auto v = entry.versions.find(version);
  if (v == entry.versions.end()) return nullptr;
  pipeline::ParseResult parsed = pipeline::ParsePipeline(v->second.source);
  if (!parsed.spec) return nullptr;  // it parsed when applied; a newer nightshift may disagree
  return &entry.specs.emplace(version, std::move(*parsed.spec)).first->second;
}

// ---------------------------------------------------------------------------------------------
// Runs

Result<core::PipelineRun> Engine::StartRun(const RunRequest& request) {
  const core::PipelineVersion* version = FindPipeline(request.pipeline);
  if (!version) return Status::NotFound("pipeline " + request.pipeline + " does not exist");
  const pipeline::PipelineSpec* spec = PipelineSpecOf(version->name, version->version);
  if (!spec) return Status::Internal("pipeline " + request.pipeline + " no longer parses");

  core::PipelineRun run;
  for (const auto& given : request.params) {
    const std::string& key = given.first;  // not a structured binding: clang 14 cannot capture one
    const bool known = std::any_of(spec->params.begin(), spec->params.end(),
                                   [&](const pipeline::ParamSpec& p) { return p.name == key; });
    if (!known) return Status::InvalidArgument("param " + key + ": pipeline " + spec->name + " has no such param");
  }
  std::string missing;
  for (const pipeline::ParamSpec& p : spec->params) {
    auto given = request.params.find(p.name);
    if (given != request.params.end()) {
      run.params[p.name] = given->second;
    } else if (p.default_value) {
      run.params[p.name] = *p.default_value;
    } else {
      missing += (missing.empty() ? "" : ", ") + p.name;
    }
  }
  if (!missing.empty()) return Status::InvalidArgument("missing required param(s): " + missing + " (give --param NAME=VALUE)");

  run.id = ids_.NewTimeOrderedUuid(Now());
  run.pipeline = version->name;
  run.version = version->version;
  run.created_at = Now();
  run.logical_time = request.logical_time.value_or(run.created_at);
  run.trigger = request.trigger;
  run.seq = next_run_seq_++;
  for (const pipeline::StepSpec& step : spec->steps) run.steps.push_back({.name = step.name});
  std::vector<size_t> all(run.steps.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  NS_RETURN_IF_ERROR(SubmitSteps(run, *spec, all));
  spdlog::info("pipeline {} run {} started ({} steps)", run.pipeline, run.id, run.steps.size());
  pending_.runs.push_back(run);
  changed_runs_[run.id].all = true;
  auto [it, inserted] = runs_.emplace(run.id, std::move(run));
  CountUnfinished(it->second);
  ScheduleFlush();
  return it->second;
}

Result<std::vector<SubmitJobRequest>> Engine::BuildStepJobs(const core::PipelineRun& run,
                                                            const pipeline::PipelineSpec& spec,
                                                            const std::vector<size_t>& steps) {
  const core::PipelineVersion& version = pipelines_.at(run.pipeline).versions.at(run.version);
  Result<schedule::Zone> zone = schedule::Zone::Load(spec.schedule ? spec.schedule->timezone : "UTC");
  const schedule::Zone z = zone.ok() ? *zone : schedule::Zone::Utc();
  pipeline::TemplateContext context;
  context.params = run.params;
  context.logical_date = schedule::FormatRfc3339(run.logical_time, z);
  context.ds = context.logical_date.substr(0, 10);
  context.data_interval_end = context.logical_date;
  context.data_interval_start = context.logical_date;
  if (spec.schedule) {
    if (const ScheduleEntry* entry = [&]() -> const ScheduleEntry* {
          auto it = schedules_.find(core::ScheduleKey(core::kPipelineScheduleGroup, run.pipeline));
          return it == schedules_.end() ? nullptr : &it->second;
        }()) {
      if (std::optional<TimeMs> previous = entry->timetable.Previous(run.logical_time)) {
        context.data_interval_start = schedule::FormatRfc3339(*previous, z);
      }
    }
  }
  context.run_id = run.id;

  std::vector<SubmitJobRequest> jobs;
  for (size_t index : steps) {
    const pipeline::StepSpec& step = spec.steps[index];
    SubmitJobRequest r;
    r.job_name = step.name;
    r.job_queue = step.queue.empty() ? "default" : step.queue;
    r.job_definition = step.definition.empty() ? StepDefinitionName(step.image) : step.definition;
    if (!step.command.empty()) {
      std::vector<std::string> argv;
      for (const std::string& arg : step.command) {
        Result<std::string> rendered = pipeline::RenderTemplate(arg, context);
        if (!rendered.ok()) return Status::InvalidArgument("steps." + step.name + ".command: " + rendered.status().message());
        argv.push_back(std::move(*rendered));
      }
      r.command = std::move(argv);
    }
    for (const auto& [name, value] : step.env) {
      Result<std::string> rendered = pipeline::RenderTemplate(value, context);
      if (!rendered.ok()) return Status::InvalidArgument("steps." + step.name + ".env." + name + ": " + rendered.status().message());
      r.environment.push_back({name, std::move(*rendered)});
    }
    for (auto [name, value] : {std::pair<const char*, std::string>{"NIGHTSHIFT_PIPELINE", run.pipeline},
                               {"NIGHTSHIFT_RUN_ID", run.id},
                               {"NIGHTSHIFT_STEP", step.name},
                               {"NIGHTSHIFT_LOGICAL_TIME", context.logical_date},
                               {"NIGHTSHIFT_PIPELINE_DIR", version.base_dir}}) {
      r.environment.push_back({name, std::move(value)});
    }
    r.vcpus = step.vcpus;
    r.memory_mib = step.memory_mib;
    r.timeout_seconds = step.timeout_seconds;
    if (step.retry) {
      core::RetryStrategy retry;
      retry.attempts = step.retry->attempts;
      retry.evaluate_on_exit = step.retry->evaluate_on_exit;
      if (const auto& b = step.retry->backoff) {
        retry.backoff = core::RetryBackoff{b->delay_seconds * 1000, b->factor,
                                           b->max_delay_seconds * 1000, b->jitter};
      }
      r.retry = retry;
    }
    r.array_size = step.array_size;
    r.working_dir = version.base_dir;
    const core::JobQueue* queue = FindJobQueue(r.job_queue);
    if (!queue || !queue->enabled) {
      return Status::InvalidArgument("steps." + step.name + ": job queue " + r.job_queue + " does not exist or is DISABLED");
    }
    if (!FindJobDefinition(r.job_definition)) {
      return Status::InvalidArgument("steps." + step.name + ": job definition " + r.job_definition + " does not exist");
    }
    jobs.push_back(std::move(r));
  }
  return jobs;
}

Status Engine::SubmitSteps(core::PipelineRun& run, const pipeline::PipelineSpec& spec,
                           const std::vector<size_t>& steps) {
  // Everything that can be refused is checked before the first job is submitted.
  Result<std::vector<SubmitJobRequest>> jobs = BuildStepJobs(run, spec, steps);
  if (!jobs.ok()) return jobs.status();
  std::map<std::string, size_t> index_of;
  for (size_t i = 0; i < spec.steps.size(); ++i) index_of[spec.steps[i].name] = i;
  const TimeMs now = Now();
  for (size_t k = 0; k < steps.size(); ++k) {
    const pipeline::StepSpec& step = spec.steps[steps[k]];
    SubmitJobRequest& r = (*jobs)[k];
    for (const pipeline::StepDependency& dep : step.depends_on) {
      const pipeline::StepSpec& upstream = spec.steps[index_of.at(dep.step)];
      core::Dependency d;
      d.job_id = run.steps[index_of.at(dep.step)].job_id;  // steps are in topological order
      d.condition = ConditionOf(dep.condition);
      if (step.array_size > 0 && upstream.array_size == step.array_size) d.type = core::DependencyType::kNToN;
      r.depends_on.push_back(d);
    }
    Result<core::Job> job = SubmitJob(r);
    if (!job.ok()) {
      // Cannot happen after the checks above; if it does, stop what was submitted.
      for (size_t j = 0; j < k; ++j) (void)TerminateJob(run.steps[steps[j]].job_id, "pipeline run could not start");
      return Status::Internal("steps." + step.name + ": " + job.status().message());
    }
    core::StepRun& s = run.steps[steps[k]];
    s = core::StepRun{.name = step.name, .job_id = job->id, .submitted_at = now, .tries = s.tries + 1};
    core::ObserveJob(s, *job);
    step_of_job_[job->id] = {run.id, steps[k]};
  }
  return Status::Ok();
}

void Engine::NoteRunSteps(const std::vector<core::JobTransition>& transitions, TimeMs now) {
  std::set<std::string> touched;
  for (const core::JobTransition& t : transitions) {
    auto ref = step_of_job_.find(t.job_id);
    if (ref == step_of_job_.end()) continue;
    auto run = runs_.find(ref->second.run_id);
    const core::Job* job = scheduler_.Find(t.job_id);
    if (run == runs_.end() || !job) continue;
    core::StepRun& step = run->second.steps[ref->second.step];
    const bool was_ended = core::IsTerminal(step.state);
    core::ObserveJob(step, *job);
    if (!was_ended && core::IsTerminal(step.state)) --unfinished_steps_[run->first];
    touched.insert(run->first);
    if (run_observer_) changed_runs_[run->first].steps.push_back(ref->second.step);
    if (core::IsTerminal(job->state)) step_of_job_.erase(ref);
  }
  for (const std::string& id : touched) {
    // Only a run whose last step just ended can settle: no scan of every step per turn.
    if (unfinished_steps_[id] == 0) EndRunIfSettled(runs_.at(id), now);
  }
}

void Engine::EndRunIfSettled(core::PipelineRun& run, TimeMs now) {
  if (!core::Settle(run, now)) return;
  spdlog::info("pipeline {} run {} {}{}", run.pipeline, run.id, core::Name(run.state),
               run.reason.empty() ? "" : ": " + run.reason);
  pending_.runs.push_back(run);
  if (run_observer_) run_observer_(run, nullptr);
  changed_runs_.erase(run.id);
  const std::string id = run.id;
  unfinished_steps_.erase(id);
  runs_.erase(id);  // `run` is gone
  // A schedule waiting for this run (overlap) goes on.
  auto owner = run_owners_.find(id);
  if (owner == run_owners_.end()) return;
  auto it = schedules_.find(owner->second);
  run_owners_.erase(owner);
  if (it == schedules_.end()) return;
  std::erase(it->second.schedule.active_runs, id);
  Apply(it->second, {}, now);
}

Status Engine::CancelRun(const std::string& run_id, const std::string& reason) {
  auto it = runs_.find(run_id);
  if (it == runs_.end()) {
    Result<std::optional<core::PipelineRun>> stored = GetRun(run_id);
    if (!stored.ok()) return stored.status();
    if (!*stored) return Status::NotFound("run " + run_id + " does not exist");
    return Status::Ok();  // already ended: nothing to cancel, as CancelJob on a finished job
  }
  // Downstream first: an upstream step's cancellation would otherwise end its dependents as
  // skipped before they are cancelled themselves.
  const std::vector<core::StepRun>& steps = it->second.steps;
  for (auto step = steps.rbegin(); step != steps.rend(); ++step) {
    if (!step->job_id.empty() && !core::IsTerminal(step->state)) {
      NS_RETURN_IF_ERROR(TerminateJob(step->job_id, reason.empty() ? "pipeline run cancelled" : reason));
    }
  }
  ScheduleFlush();
  return Status::Ok();
}

Result<core::PipelineRun> Engine::RerunFromFailure(const std::string& run_id) {
  if (runs_.count(run_id)) return Status::Conflict("run " + run_id + " is still running");
  Result<std::optional<core::PipelineRun>> stored = GetRun(run_id);
  if (!stored.ok()) return stored.status();
  if (!*stored) return Status::NotFound("run " + run_id + " does not exist");
  core::PipelineRun run = std::move(**stored);
  if (run.state == core::RunState::kSucceeded) return Status::Conflict("run " + run_id + " succeeded: nothing to rerun");
  const pipeline::PipelineSpec* spec = PipelineSpecOf(run.pipeline, run.version);
  if (!spec) return Status::Conflict("pipeline " + run.pipeline + " version " + std::to_string(run.version) + " is gone");
  std::vector<size_t> again;
  for (size_t i = 0; i < run.steps.size(); ++i) {
    if (run.steps[i].state != core::StepState::kSucceeded) again.push_back(i);
  }
  run.state = core::RunState::kRunning;
  run.reason.clear();
  run.stopped_at = 0;
  ++run.tries;
  NS_RETURN_IF_ERROR(SubmitSteps(run, *spec, again));
  pending_.runs.push_back(run);
  changed_runs_[run.id].all = true;
  auto [it, inserted] = runs_.emplace(run.id, std::move(run));
  CountUnfinished(it->second);
  ScheduleFlush();
  return it->second;
}

// An active run is live in memory; one that ended is, until its batch is committed, in pending_
// or in the batch with the writer.
const core::PipelineRun* Engine::FindUncommittedRun(const std::string& run_id) const {
  if (auto it = runs_.find(run_id); it != runs_.end()) return &it->second;
  const store::WriteBatch* in_flight = in_flight_ ? in_flight_->batch.get() : nullptr;
  for (const store::WriteBatch* batch : {&pending_, in_flight}) {
    if (!batch) continue;
    for (auto it = batch->runs.rbegin(); it != batch->runs.rend(); ++it) {
      if (it->id == run_id) return &*it;
    }
  }
  return nullptr;
}

Result<std::optional<core::PipelineRun>> Engine::GetRun(const std::string& run_id) {
  if (const core::PipelineRun* run = FindUncommittedRun(run_id))
    return std::optional<core::PipelineRun>(*run);
  return store_.GetRun(run_id);
}

// Each listed run as GetRun shows it.
Result<store::RunPage> Engine::ListRuns(const store::RunQuery& query) {
  Result<store::RunPage> page = store_.ListRuns(query);
  if (!page.ok()) return page;
  for (core::PipelineRun& run : page->runs) {
    if (const core::PipelineRun* live = FindUncommittedRun(run.id)) run = *live;
  }
  return page;
}

Result<std::string> Engine::StartPipelineTarget(const core::Schedule& s, const core::Fire& fire) {
  RunRequest request;
  request.pipeline = s.target.arn.substr(core::kPipelineTargetArnPrefix.size());
  request.logical_time = fire.logical_time;
  request.trigger = std::string(core::Name(fire.trigger));
  Result<core::PipelineRun> run = StartRun(request);
  if (!run.ok()) return run.status();
  return run->id;
}

void Engine::RestorePipelines(std::vector<core::PipelineVersion> versions, std::vector<core::PipelineRun> runs) {
  for (core::PipelineVersion& v : versions) {
    const std::string name = v.name;
    pipelines_[name].versions[v.version] = std::move(v);
  }
  for (core::PipelineRun& run : runs) {
    next_run_seq_ = std::max(next_run_seq_, run.seq + 1);
    // Step states are not persisted while a run runs: read them from the jobs.
    for (size_t i = 0; i < run.steps.size(); ++i) {
      core::StepRun& step = run.steps[i];
      if (step.job_id.empty()) continue;
      if (const core::Job* live = scheduler_.Find(step.job_id)) {
        core::ObserveJob(step, *live);
        step_of_job_[step.job_id] = {run.id, i};
      } else if (Result<std::optional<core::Job>> stored = store_.GetJob(step.job_id); stored.ok() && *stored) {
        core::ObserveJob(step, **stored);
      }
    }
    const std::string id = run.id;
    CountUnfinished(runs_.emplace(id, std::move(run)).first->second);
  }
}

void Engine::CountUnfinished(const core::PipelineRun& run) {
  unfinished_steps_[run.id] = static_cast<size_t>(std::count_if(
      run.steps.begin(), run.steps.end(), [](const core::StepRun& s) { return !core::IsTerminal(s.state); }));
}

}  // namespace nightshift::engine
