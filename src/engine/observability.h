// The engine's event-log state, event listeners, webhook subscriptions and metrics: what
// engine_events.cc works on. Kept out of engine.h so that its users need not see it.
// Thread-safety: none; the engine's loop owns it.
#pragma once

#include <map>
#include <string>
#include <unordered_map>

#include "core/webhook.h"
#include "engine/engine.h"
#include "engine/engine_metrics.h"
#include "events/event_codec.h"

namespace nightshift::engine {

struct Engine::Observability {
  explicit Observability(const EngineOptions& options) : origin{options.region, options.account} {}

  events::EventOrigin origin;
  uint64_t next_event_id = 1;       // the next event's id (ids of uncommitted events included)
  uint64_t committed_event_id = 0;  // the newest committed event's id
  uint64_t made_since_prune = 0;
  bool prune_due = true;  // the first commit prunes what aged while the server was down
  // How much of pending_.runs, pending_.fires and pending_.deleted_schedules NoteEvents has
  // seen; reset when the batch is handed to the writer.
  size_t runs_seen = 0;
  size_t fires_seen = 0;
  size_t deleted_schedules_seen = 0;
  std::unordered_map<std::string, events::ScheduleMark> schedule_marks;  // by ScheduleKey
  std::map<int, EventListener> listeners;
  int next_listener = 1;
  std::map<std::string, core::WebhookSubscription> webhooks;  // by id
  EngineMetrics metrics;
};

}  // namespace nightshift::engine
