// EngineMetrics: what the engine counts and measures, for /metrics (metrics/registry.h). The
// engine calls it as things happen, on its loop; it keeps only what the measures need (when a
// job became RUNNABLE, when recent jobs ended) and reads no clock: times come in as arguments.
// Thread-safety: none; the engine's loop owns it (the scrape runs on the same loop).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory_resource>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/job.h"
#include "core/schedule.h"
#include "core/scheduler.h"
#include "core/webhook.h"
#include "metrics/registry.h"
#include "metrics/throughput.h"
#include "store/store.h"

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
  // The store's write-ahead log as it is now (Store::GetWalStats), before each scrape.
  void OnWalStats(const store::WalStats& wal);
  void OnEventsPublished(size_t count) { events_published_->Inc(static_cast<double>(count)); }
  void OnDelivery(const core::WebhookDelivery& delivery);
  // One API request: its route template (e.g. "/api/v1/runs/{id}"), method and HTTP status.
  void OnRequest(const std::string& method, const std::string& route, int status,
                 int64_t duration_us);

 private:
  static constexpr size_t kStates = static_cast<size_t>(core::JobState::kFailed) + 1;
  // The cells of jobs_ and transitions_, found once (a family's cells never move): a transition
  // then costs no label strings and no map lookups by them.
  metrics::Gauge& JobsCell(core::JobState state, const std::string& queue);
  metrics::Counter& TransitionsCell(core::JobState from, core::JobState to);
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
  metrics::Family<metrics::Gauge>* wal_pages_;
  metrics::Family<metrics::Counter>* checkpoints_;
  metrics::Family<metrics::Counter>* failed_checkpoints_;
  metrics::Gauge* running_processes_;
  metrics::Counter* events_recorded_;
  metrics::Counter* events_published_;
  metrics::Family<metrics::Counter>* deliveries_;
  metrics::Family<metrics::Histogram>* request_latency_;

  // Job ids looked up by std::string or std::pmr::string.
  struct IdHash {
    using is_transparent = void;
    size_t operator()(std::string_view id) const { return std::hash<std::string_view>{}(id); }
  };
  struct IdEqual {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const { return a == b; }
  };

  std::unordered_map<std::string, std::array<metrics::Gauge*, kStates>> jobs_cells_;  // by queue
  std::array<std::array<metrics::Counter*, kStates>, kStates> transitions_cells_{};
  std::unordered_map<std::string, TimeMs> runnable_since_;  // job id -> when it became RUNNABLE
  // When recent jobs ended (the newest kEndedKept), for the dependency latency of their children.
  // Its entries come from a pool of their own: made one per ended job amid a turn's short-lived
  // allocations (the 100,000 children of an array can end in one turn), they would otherwise be
  // scattered over the heap, and no page holding one could be given back to the system once the
  // rest is freed (util/memory.h).
  std::pmr::unsynchronized_pool_resource ended_pool_;
  std::pmr::unordered_map<std::pmr::string, TimeMs, IdHash, IdEqual> ended_at_{&ended_pool_};
  std::pmr::deque<const std::pmr::string*> ended_order_{&ended_pool_};  // keys of ended_at_
};

}  // namespace nightshift::engine
