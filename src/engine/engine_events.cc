// Engine: events, webhook subscriptions and metrics. Events are made from what a turn changed
// (NoteEvents, before the commit) and handed to listeners once committed (PublishCommitted):
// a listener never sees an event that a crash could take back.
#include "engine/engine.h"
#include "engine/observability.h"

#include <algorithm>
#include <memory>
#include <unordered_map>

namespace nightshift::engine {
namespace {

template <typename T>
void ReserveFor(std::vector<T>& v, size_t more) {
  if (const size_t needed = v.size() + more; needed > v.capacity()) {
    v.reserve(std::max(needed, 2 * v.capacity()));
  }
}

// A job event's JSON is written on the store writer thread, from a draft holding a copy of the
// job, unless its turn made more transitions than this: then it is written at once from the
// scheduler's job. (A turn that expands an array job makes 200,000; their copies and their
// docs would be held at once, on top of the turn's jobs.)
constexpr size_t kMaxDraftedTransitions = 10'000;
constexpr uint64_t kEventsPerPrune = 1000;
constexpr int kMaxWebhookAttempts = 20;

core::Schedule DeletedSchedule(const std::string& key) {
  core::Schedule s;
  const size_t slash = key.find('/');
  s.group = key.substr(0, slash);
  s.name = slash == std::string::npos ? key : key.substr(slash + 1);
  return s;
}

Status ValidateWebhook(const core::WebhookSubscription& w) {
  if (w.url.rfind("http://", 0) != 0 || w.url.size() <= 7) {
    return Status::InvalidArgument("url must be an http:// URL (https is not supported yet): " +
                                   w.url);
  }
  if (w.retry.max_attempts < 1 || w.retry.max_attempts > kMaxWebhookAttempts) {
    return Status::InvalidArgument("retry.max_attempts must be between 1 and " +
                                   std::to_string(kMaxWebhookAttempts));
  }
  if (w.retry.initial_delay_ms < 100 || w.retry.initial_delay_ms > w.retry.max_delay_ms) {
    return Status::InvalidArgument("retry.initial_delay_ms must be between 100 and " +
                                   std::to_string(w.retry.max_delay_ms));
  }
  return Status::Ok();
}

}  // namespace

void Engine::RestoreObservability(const store::Snapshot& snapshot) {
  Observability& o = *observe_;
  o.next_event_id = snapshot.max_event_id + 1;
  o.committed_event_id = snapshot.max_event_id;
  for (const core::WebhookSubscription& w : snapshot.webhooks) o.webhooks[w.id] = w;
  for (const core::Job& job : snapshot.active_jobs) o.metrics.OnRestored(job);
  for (const core::Schedule& s : snapshot.schedules) {
    o.schedule_marks[core::ScheduleKey(s)] = {s.state, s.modified_at};
  }
}

void Engine::NoteEvents(const std::vector<core::JobTransition>& transitions, TimeMs now) {
  Observability& o = *observe_;
  const size_t before = pending_.events.size();
  // One event (and draft) per transition: room for them at once, rather than growth by doubling
  // that can leave a turn of 200,000 events with room for 262,144 (and both copies while it grows).
  ReserveFor(pending_.events, transitions.size());
  const bool drafted = transitions.size() <= kMaxDraftedTransitions;
  if (drafted) ReserveFor(pending_drafts_, transitions.size());
  // One copy of a job for all its transitions in the turn (a submitted job is SUBMITTED and
  // RUNNABLE; a released one RUNNABLE and STARTING): each doc shows the job as the turn left it.
  std::unordered_map<const core::Job*, std::shared_ptr<const core::Job>> copies;
  for (const core::JobTransition& t : transitions) {
    const core::Job* job = scheduler_.Find(t.job_id);
    if (!job) continue;
    o.metrics.OnTransition(*job, t);
    if (drafted) {
      std::shared_ptr<const core::Job>& copy = copies[job];
      if (!copy) copy = std::make_shared<const core::Job>(*job);
      pending_.events.push_back(events::JobEventHead(o.next_event_id++, *job, t));
      pending_drafts_.push_back({pending_.events.size() - 1, copy, t});
    } else {
      pending_.events.push_back(events::JobEvent(o.next_event_id++, *job, t, o.origin));
    }
  }
  for (; o.runs_seen < pending_.runs.size(); ++o.runs_seen) {
    pending_.events.push_back(
        events::RunEvent(o.next_event_id++, pending_.runs[o.runs_seen], now, o.origin));
  }
  for (; o.fires_seen < pending_.fires.size(); ++o.fires_seen) {
    const core::Fire& fire = pending_.fires[o.fires_seen];
    o.metrics.OnFire(fire);
    pending_.events.push_back(events::FireEvent(o.next_event_id++, fire, o.origin));
  }
  // Schedules are written at every fire too (their progress): only a change of the schedule
  // itself is an event.
  for (const core::Schedule& s : pending_.schedules) {
    const std::string key = core::ScheduleKey(s);
    auto mark = o.schedule_marks.find(key);
    std::optional<events::ScheduleChange> change =
        events::ClassifyScheduleChange(mark == o.schedule_marks.end() ? nullptr : &mark->second, s);
    if (!change) continue;
    o.schedule_marks[key] = {s.state, s.modified_at};
    pending_.events.push_back(events::ScheduleEvent(o.next_event_id++, s, *change, now, o.origin));
  }
  for (; o.deleted_schedules_seen < pending_.deleted_schedules.size(); ++o.deleted_schedules_seen) {
    const std::string& key = pending_.deleted_schedules[o.deleted_schedules_seen];
    if (o.schedule_marks.erase(key) == 0) continue;  // created and deleted before any commit
    pending_.events.push_back(events::ScheduleEvent(
        o.next_event_id++, DeletedSchedule(key), events::ScheduleChange::kDeleted, now, o.origin));
  }
  o.made_since_prune += pending_.events.size() - before;
  if (o.prune_due || o.made_since_prune >= kEventsPerPrune) {
    const uint64_t newest = o.next_event_id - 1;
    const uint64_t keep = options_.event_retention_count;
    pending_.prune_events =
        store::EventPrune{newest > keep ? newest - keep : 0, now - options_.event_retention_ms};
    o.made_since_prune = 0;
    o.prune_due = false;
  }
}

void Engine::NoteHandedOff() {
  Observability& o = *observe_;
  o.runs_seen = o.fires_seen = o.deleted_schedules_seen = 0;
}

// Each draft's copy of its job is dropped once its doc is written: a turn that expands an array
// job holds 200,000 drafts, and would otherwise hold them and all their docs at once.
void Engine::WriteEventDocs(store::WriteBatch& batch, JobEventDrafts& drafts, const events::EventOrigin& origin) {
  for (JobEventDraft& d : drafts) {
    core::Event& event = batch.events[d.index];
    if (event.doc.empty()) events::AppendJobEventDoc(event.doc, event.id, *d.job, d.transition, origin);
    d.job.reset();
  }
  JobEventDrafts{}.swap(drafts);
}

void Engine::PublishCommitted(std::vector<core::Event> events, int64_t commit_us) {
  Observability& o = *observe_;
  o.metrics.OnCommit(commit_us, events.size());
  if (events.empty()) return;
  o.committed_event_id = events.back().id;
  auto batch = std::make_shared<const std::vector<core::Event>>(std::move(events));
  o.metrics.OnEventsPublished(batch->size());
  // A listener may remove itself (or another) while being called.
  std::vector<EventListener> listeners;
  for (const auto& [handle, listener] : o.listeners) listeners.push_back(listener);
  for (const EventListener& listener : listeners) listener(batch);
}

int Engine::AddEventListener(EventListener listener) {
  const int handle = observe_->next_listener++;
  observe_->listeners.emplace(handle, std::move(listener));
  return handle;
}

void Engine::RemoveEventListener(int handle) { observe_->listeners.erase(handle); }

Result<std::vector<core::Event>> Engine::ListEvents(uint64_t after_id, int limit) {
  return store_.ListEvents(after_id, limit);
}

uint64_t Engine::last_committed_event_id() const { return observe_->committed_event_id; }

Result<core::WebhookSubscription> Engine::CreateWebhook(core::WebhookSubscription w) {
  NS_RETURN_IF_ERROR(ValidateWebhook(w));
  w.id = ids_.NewUuid();
  w.created_at = Now();
  w.cursor = observe_->next_event_id - 1;
  observe_->webhooks[w.id] = w;
  pending_.webhooks.push_back(w);
  ScheduleFlush();
  return w;
}

Status Engine::DeleteWebhook(const std::string& id) {
  if (observe_->webhooks.erase(id) == 0)
    return Status::NotFound("webhook " + id + " does not exist");
  std::erase_if(pending_.webhooks, [&](const core::WebhookSubscription& w) { return w.id == id; });
  pending_.deleted_webhooks.push_back(id);
  ScheduleFlush();
  return Status::Ok();
}

const std::map<std::string, core::WebhookSubscription>& Engine::webhooks() const {
  return observe_->webhooks;
}

void Engine::RecordDelivery(const core::WebhookDelivery& delivery, std::optional<uint64_t> cursor) {
  auto it = observe_->webhooks.find(delivery.subscription);
  if (it == observe_->webhooks.end()) return;
  observe_->metrics.OnDelivery(delivery);
  pending_.webhook_deliveries.push_back(delivery);
  if (cursor && *cursor > it->second.cursor) {
    it->second.cursor = *cursor;
    pending_.webhook_cursors.emplace_back(delivery.subscription, *cursor);
  }
  ScheduleFlush();
}

Result<std::vector<core::WebhookDelivery>> Engine::ListDeliveries(const std::string& id,
                                                                  int limit) {
  if (!observe_->webhooks.count(id)) return Status::NotFound("webhook " + id + " does not exist");
  return store_.ListDeliveries(id, limit);
}

EngineMetrics& Engine::metrics() { return observe_->metrics; }

void Engine::RefreshStoreMetrics() {
  if (std::optional<store::WalStats> wal = store_.GetWalStats()) observe_->metrics.OnWalStats(*wal);
}

}  // namespace nightshift::engine
