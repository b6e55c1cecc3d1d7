#include "engine/engine_metrics.h"

#include <algorithm>

namespace nightshift::engine {
namespace {

// A counter that mirrors a total kept elsewhere.
void CountUpTo(metrics::Counter& counter, int64_t total) {
  counter.Inc(static_cast<double>(total) - counter.value());
}

constexpr size_t kEndedKept = 65'536;

double Seconds(int64_t ms) { return static_cast<double>(ms) / 1000.0; }

std::string State(core::JobState state) { return std::string(core::JobStateName(state)); }

bool StartsWith(const std::string& text, std::string_view prefix) {
  return text.rfind(prefix, 0) == 0;
}

// A fire's reason names jobs and times; its label is the kind of reason only, so that the
// number of series stays small.
std::string ReasonClass(const core::Fire& fire) {
  if (fire.outcome == core::FireOutcome::kStarted) return "";
  const std::string& r = fire.reason;
  if (StartsWith(r, "the schedule was paused")) return "paused";
  if (StartsWith(r, "missed, and older than the catch-up window")) return "catch_up_window";
  if (StartsWith(r, "the target could not be started")) return "target_failed";
  if (r.find("(overlap ") != std::string::npos) return "overlap";
  if (r.find("(catch-up ") != std::string::npos) return "catch_up";
  return "other";
}

}  // namespace

EngineMetrics::EngineMetrics() {
  using metrics::LatencyBuckets;
  jobs_ = &registry_.AddGauge("nightshift_jobs", "Jobs not yet ended, by state and job queue",
                              {"state", "queue"});
  transitions_ = &registry_.AddCounter(
      "nightshift_job_transitions_total",
      "Job state transitions (from SUBMITTED to SUBMITTED is a submission)", {"from", "to"});
  dispatch_latency_ =
      &registry_
           .AddHistogram("nightshift_dispatch_latency_seconds",
                         "From RUNNABLE to RUNNING, per attempt", {}, LatencyBuckets())
           .With({});
  dependency_latency_ =
      &registry_
           .AddHistogram("nightshift_dependency_latency_seconds",
                         "From the end of a job's last dependency to the job's RUNNABLE", {},
                         LatencyBuckets())
           .With({});
  fire_lateness_ = &registry_
                        .AddHistogram("nightshift_schedule_fire_lateness_seconds",
                                      "From a fire's due time to its start", {}, LatencyBuckets())
                        .With({});
  fires_ = &registry_.AddCounter("nightshift_schedule_fires_total",
                                 "Schedule fires by outcome and kind of reason (overlap, catch_up, "
                                 "catch_up_window, paused, target_failed)",
                                 {"outcome", "reason"});
  commit_latency_ = &registry_
                         .AddHistogram("nightshift_store_commit_latency_seconds",
                                       "One loop turn's store transaction", {}, LatencyBuckets())
                         .With({});
  wal_pages_ = &registry_.AddGauge("nightshift_store_wal_pages",
                                   "Pages in the store's write-ahead log after the last commit");
  checkpoints_ = &registry_.AddCounter(
      "nightshift_store_checkpoints_total",
      "Copies of the write-ahead log into the store's file, by who ran them (background: beside "
      "the writer; writer: between two commits)",
      {"by"});
  failed_checkpoints_ = &registry_.AddCounter(
      "nightshift_store_checkpoint_failures_total",
      "Background checkpoints that failed (the write-ahead log keeps their pages)");
  running_processes_ =
      &registry_.AddGauge("nightshift_running_processes", "Attempts in state RUNNING").With({});
  events_recorded_ =
      &registry_
           .AddCounter("nightshift_events_committed_total", "Events committed to the event log")
           .With({});
  events_published_ = &registry_
                           .AddCounter("nightshift_events_published_total",
                                       "Committed events handed to streams and webhooks")
                           .With({});
  deliveries_ = &registry_.AddCounter("nightshift_webhook_deliveries_total",
                                      "Webhook delivery attempts by outcome", {"outcome"});
  request_latency_ =
      &registry_.AddHistogram("nightshift_api_request_latency_seconds",
                              "API requests by method, route template and HTTP status",
                              {"method", "route", "status"}, LatencyBuckets());
}

metrics::Gauge& EngineMetrics::JobsCell(core::JobState state, const std::string& queue) {
  metrics::Gauge*& cell = jobs_cells_.try_emplace(queue).first->second[static_cast<size_t>(state)];
  if (cell == nullptr) cell = &jobs_->With({State(state), queue});
  return *cell;
}

metrics::Counter& EngineMetrics::TransitionsCell(core::JobState from, core::JobState to) {
  metrics::Counter*& cell = transitions_cells_[static_cast<size_t>(from)][static_cast<size_t>(to)];
  if (cell == nullptr) cell = &transitions_->With({State(from), State(to)});
  return *cell;
}

void EngineMetrics::OnRestored(const core::Job& job) {
  JobsCell(job.state, job.queue).Add(1);
  if (job.state == core::JobState::kRunning) running_processes_->Add(1);
}

void EngineMetrics::OnTransition(const core::Job& job, const core::JobTransition& t) {
  TransitionsCell(t.from, t.to).Inc();
  if (t.from != t.to) JobsCell(t.from, job.queue).Add(-1);
  if (!core::IsTerminal(t.to)) JobsCell(t.to, job.queue).Add(1);
  if (t.from == core::JobState::kRunning) running_processes_->Add(-1);
  if (t.to == core::JobState::kRunning) running_processes_->Add(1);
  if (t.to == core::JobState::kRunnable) {
    runnable_since_[job.id] = t.at;
    if (t.from == core::JobState::kPending) ObserveDependencyLatency(job, t.at);
  } else if (t.to == core::JobState::kRunning || core::IsTerminal(t.to)) {
    auto it = runnable_since_.find(job.id);
    if (it != runnable_since_.end()) {
      if (t.to == core::JobState::kRunning) dispatch_latency_->Observe(Seconds(t.at - it->second));
      runnable_since_.erase(it);
    }
  }
  if (core::IsTerminal(t.to)) {
    const TimeMs stopped = !job.attempts.empty() && job.attempts.back().stopped_at > 0
                               ? job.attempts.back().stopped_at
                               : t.at;
    NoteEnded(job.id, stopped);
    if (job.array_size == 0) throughput_.Note(stopped, t.to == core::JobState::kSucceeded);
  }
}

void EngineMetrics::NoteEnded(const std::string& job_id, TimeMs at) {
  auto [it, inserted] = ended_at_.emplace(job_id, at);
  if (inserted) ended_order_.push_back(&it->first);
  if (ended_order_.size() > kEndedKept) {
    ended_at_.erase(ended_at_.find(*ended_order_.front()));
    ended_order_.pop_front();
  }
}

// The latest end among the job's dependencies that ended while this server ran (an array child
// waits on its partner, "<parent>:<index>", too).
void EngineMetrics::ObserveDependencyLatency(const core::Job& job, TimeMs runnable_at) {
  std::optional<TimeMs> last_end;
  auto consider = [&](const std::string& id) {
    auto it = ended_at_.find(id);
    if (it != ended_at_.end()) last_end = std::max(last_end.value_or(it->second), it->second);
  };
  for (const core::Dependency& dep : job.depends_on) {
    consider(dep.job_id);
    if (job.array_index) consider(dep.job_id + ":" + std::to_string(*job.array_index));
  }
  if (last_end) dependency_latency_->Observe(Seconds(std::max<TimeMs>(0, runnable_at - *last_end)));
}

void EngineMetrics::OnFire(const core::Fire& fire) {
  fires_->With({std::string(core::Name(fire.outcome)), ReasonClass(fire)})
      .Inc(static_cast<double>(fire.count));
  if (fire.outcome == core::FireOutcome::kStarted)
    fire_lateness_->Observe(Seconds(std::max<TimeMs>(0, fire.lateness_ms())));
}

void EngineMetrics::OnCommit(int64_t duration_us, size_t events) {
  commit_latency_->Observe(static_cast<double>(duration_us) / 1e6);
  events_recorded_->Inc(static_cast<double>(events));
}

void EngineMetrics::OnWalStats(const store::WalStats& wal) {
  wal_pages_->With({}).Set(static_cast<double>(wal.pages));
  CountUpTo(checkpoints_->With({"background"}), wal.background_checkpoints);
  CountUpTo(checkpoints_->With({"writer"}), wal.writer_checkpoints);
  CountUpTo(failed_checkpoints_->With({}), wal.failed_checkpoints);
}

void EngineMetrics::OnDelivery(const core::WebhookDelivery& delivery) {
  deliveries_->With({std::string(core::Name(delivery.outcome))}).Inc();
}

void EngineMetrics::OnRequest(const std::string& method, const std::string& route, int status,
                              int64_t duration_us) {
  request_latency_->With({method, route, std::to_string(status)})
      .Observe(static_cast<double>(duration_us) / 1e6);
}

}  // namespace nightshift::engine
