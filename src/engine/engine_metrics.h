// EngineMetrics: what the engine counts and measures, for /metrics (metrics/registry.h). The
// engine calls it as things happen, on its loop; it keeps only what the measures need (when a
// job became RUNNABLE, when recent jobs ended) and reads no clock: times come in as arguments.
// Thread-safety: none; the engine's loop owns it (the scrape runs on the same loop).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/job.h"
#include "core/schedule.h"
#include "core/scheduler.h"
#include "core/webhook.h"
#include "metrics/registry.h"
#include "metrics/throughput.h"

namespace nightshift::engine {

class EngineMetrics {
 public:
  EngineMetrics();

  metrics::Registry& registry() { return registry_; }
  // Jobs ended per minute lately (array parents not counted: their children are).
  const metrics::Throughput& throughput() const { return throughput_; }

  // An active job loaded at start: counted in its state.
  void OnRestored(const core::Job& job);
  // `job` as it is after the transition (or later in the same turn).
  void OnTransition(const core::Job& job, const core::JobTransition& t);
  void OnFire(const core::Fire& fire);
  void OnCommit(int64_t duration_us, size_t events);
  void OnEventsPublished(size_t count) { events_published_->Inc(static_cast<double>(count)); }
  void OnDelivery(const core::WebhookDelivery& delivery);
  // One API request: its route template (e.g. "/api/v1/runs/{id}"), method and HTTP status.
  void OnRequest(const std::string& method, const std::string& route, int status,
                 int64_t duration_us);

 private:
  void NoteEnded(const std::string& job_id, TimeMs at);
  void ObserveDependencyLatency(const core::Job& job, TimeMs runnable_at);

  metrics::Registry registry_;
  metrics::Throughput throughput_;
  metrics::Family<metrics::Gauge>* jobs_;
  metrics::Family<metrics::Counter>* transitions_;
  metrics::Histogram* dispatch_latency_;
  metrics::Histogram* dependency_latency_;
  metrics::Histogram* fire_lateness_;
  metrics::Family<metrics::Counter>* fires_;
  metrics::Histogram* commit_latency_;
  metrics::Gauge* running_processes_;
  metrics::Counter* events_recorded_;
  metrics::Counter* events_published_;
  metrics::Family<metrics::Counter>* deliveries_;
  metrics::Family<metrics::Histogram>* request_latency_;

  std::unordered_map<std::string, TimeMs> runnable_since_;  // job id -> when it became RUNNABLE
  // When recent jobs ended (the newest kEndedKept), for the dependency latency of their children.
  std::unordered_map<std::string, TimeMs> ended_at_;
  std::deque<std::string> ended_order_;
};

}  // namespace nightshift::engine
