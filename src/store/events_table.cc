#include "store/events_table.h"

#include <set>

namespace nightshift::store {
namespace {

Status Fail(const Status& status, const std::string& what) {
  return status.ok() ? status : Status(status.code(), status.message() + " (writing " + what + ")");
}

core::WebhookSubscription ReadWebhookRow(Statement& s) {
  core::WebhookSubscription w;
  w.id = s.ColumnText(0);
  w.url = s.ColumnText(1);
  w.secret = s.ColumnText(2);
  // The filter was written by FormatEventFilter, so it parses.
  Result<core::EventFilter> filter = core::ParseEventFilterQuery(s.ColumnText(3));
  if (filter.ok()) w.filter = *filter;
  w.retry.max_attempts = static_cast<int>(s.ColumnInt(4));
  w.retry.initial_delay_ms = s.ColumnInt(5);
  w.description = s.ColumnText(6);
  w.created_at = s.ColumnInt(7);
  w.cursor = static_cast<uint64_t>(s.ColumnInt(8));
  return w;
}

core::WebhookDelivery ReadDeliveryRow(Statement& s) {
  core::WebhookDelivery d;
  d.subscription = s.ColumnText(0);
  d.event_id = static_cast<uint64_t>(s.ColumnInt(1));
  d.attempt = static_cast<int>(s.ColumnInt(2));
  d.at = s.ColumnInt(3);
  d.http_status = static_cast<int>(s.ColumnInt(4));
  d.duration_ms = s.ColumnInt(5);
  d.outcome =
      core::ParseDeliveryOutcome(s.ColumnText(6)).value_or(core::DeliveryOutcome::kRetrying);
  d.error = s.ColumnText(7);
  d.next_attempt_at = s.ColumnInt(8);
  return d;
}

core::Event ReadEventRow(Statement& s) {
  core::Event e;
  e.id = static_cast<uint64_t>(s.ColumnInt(0));
  e.type = core::ParseEventType(s.ColumnText(1)).value_or(core::EventType::kJob);
  e.at = s.ColumnInt(2);
  e.status = s.ColumnText(3);
  e.queue = s.ColumnText(4);
  e.pipeline = s.ColumnText(5);
  e.doc = s.ColumnText(6);
  return e;
}

// Every row of a prepared, bound SELECT, read with `read` (which cannot fail).
template <typename T>
Result<std::vector<T>> ReadRows(Statement& select, T (*read)(Statement&)) {
  return ReadAllRows<T>(select, [read](Statement& s) { return Result<T>(read(s)); });
}

}  // namespace

Result<EventTables> EventTables::Prepare(Database& db) {
  EventTables t;
  const std::pair<Statement*, std::string_view> all[] = {
      {&t.insert_event_,
       "INSERT INTO events (id, type, at, status, queue, pipeline, doc) VALUES (?1, ?2, ?3, ?4, "
       "?5, ?6, ?7)"},
      {&t.bump_max_event_id_,
       "UPDATE store_counters SET max_event_id = (SELECT max(id) FROM events) "
       "WHERE singleton = 1 AND max_event_id < (SELECT max(id) FROM events)"},
      {&t.prune_by_id_, "DELETE FROM events WHERE id <= ?1"},
      {&t.prune_by_age_,
       "DELETE FROM events WHERE id IN (SELECT id FROM events ORDER BY id LIMIT 1000) AND at < ?1"},
      {&t.list_events_,
       "SELECT id, type, at, status, queue, pipeline, doc FROM events WHERE id > ?1 ORDER BY id "
       "LIMIT ?2"},
      {&t.upsert_webhook_,
       "INSERT INTO webhooks (id, url, secret, filter, max_attempts, initial_delay_ms, "
       "description, created_at, "
       "cursor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (id) DO UPDATE SET url = "
       "excluded.url, "
       "secret = excluded.secret, filter = excluded.filter, max_attempts = excluded.max_attempts, "
       "initial_delay_ms = excluded.initial_delay_ms, description = excluded.description, "
       "created_at = excluded.created_at, cursor = excluded.cursor"},
      {&t.delete_webhook_, "DELETE FROM webhooks WHERE id = ?1"},
      {&t.delete_deliveries_of_webhook_, "DELETE FROM webhook_deliveries WHERE subscription = ?1"},
      {&t.advance_cursor_, "UPDATE webhooks SET cursor = max(cursor, ?2) WHERE id = ?1"},
      {&t.select_webhooks_,
       "SELECT id, url, secret, filter, max_attempts, initial_delay_ms, description, created_at, "
       "cursor "
       "FROM webhooks ORDER BY id"},
      {&t.insert_delivery_,
       "INSERT INTO webhook_deliveries (subscription, event_id, attempt, at, http_status, "
       "duration_ms, outcome, "
       "error, next_attempt_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"},
      {&t.trim_deliveries_,
       "DELETE FROM webhook_deliveries WHERE subscription = ?1 AND seq <= (SELECT seq FROM "
       "webhook_deliveries "
       "WHERE subscription = ?1 ORDER BY seq DESC LIMIT 1 OFFSET ?2)"},
      {&t.list_deliveries_,
       "SELECT subscription, event_id, attempt, at, http_status, duration_ms, outcome, error, "
       "next_attempt_at "
       "FROM webhook_deliveries WHERE subscription = ?1 ORDER BY seq DESC LIMIT ?2"},
  };
  NS_RETURN_IF_ERROR(db.PrepareAll(all));
  return t;
}

Status EventTables::Write(const WriteBatch& batch) {
  NS_RETURN_IF_ERROR(WriteEvents(batch.events));
  if (batch.prune_events) NS_RETURN_IF_ERROR(Prune(*batch.prune_events));
  NS_RETURN_IF_ERROR(WriteWebhooks(batch));
  return WriteDeliveries(batch.webhook_deliveries);
}

Status EventTables::WriteEvents(const std::vector<core::Event>& events) {
  if (events.empty()) return Status::Ok();
  for (const core::Event& e : events) {
    Statement& s = insert_event_;
    s.BindInt(1, static_cast<int64_t>(e.id));
    s.BindText(2, core::Name(e.type));
    s.BindInt(3, e.at);
    s.BindText(4, e.status);
    s.BindText(5, e.queue);
    s.BindText(6, e.pipeline);
    s.BindText(7, e.doc);
    NS_RETURN_IF_ERROR(Fail(s.Run(), "event " + std::to_string(e.id)));
  }
  return Status::Ok();
}

Status EventTables::Prune(const EventPrune& prune) {
  // The newest id may be among those dropped: the counter keeps it (schema.cc, version 6).
  NS_RETURN_IF_ERROR(bump_max_event_id_.Run());
  prune_by_id_.BindInt(1, static_cast<int64_t>(prune.max_id_to_drop));
  NS_RETURN_IF_ERROR(prune_by_id_.Run());
  prune_by_age_.BindInt(1, prune.older_than);
  return prune_by_age_.Run();
}

Status EventTables::WriteWebhooks(const WriteBatch& batch) {
  for (const core::WebhookSubscription& w : batch.webhooks) {
    const std::string filter = core::FormatEventFilter(w.filter);
    Statement& s = upsert_webhook_;
    s.BindText(1, w.id);
    s.BindText(2, w.url);
    s.BindText(3, w.secret);
    s.BindText(4, filter);
    s.BindInt(5, w.retry.max_attempts);
    s.BindInt(6, w.retry.initial_delay_ms);
    s.BindText(7, w.description);
    s.BindInt(8, w.created_at);
    s.BindInt(9, static_cast<int64_t>(w.cursor));
    NS_RETURN_IF_ERROR(Fail(s.Run(), "webhook " + w.id));
  }
  for (const std::string& id : batch.deleted_webhooks) {
    delete_webhook_.BindText(1, id);
    NS_RETURN_IF_ERROR(Fail(delete_webhook_.Run(), "deletion of webhook " + id));
    delete_deliveries_of_webhook_.BindText(1, id);
    NS_RETURN_IF_ERROR(delete_deliveries_of_webhook_.Run());
  }
  for (const auto& [id, cursor] : batch.webhook_cursors) {
    advance_cursor_.BindText(1, id);
    advance_cursor_.BindInt(2, static_cast<int64_t>(cursor));
    NS_RETURN_IF_ERROR(Fail(advance_cursor_.Run(), "cursor of webhook " + id));
  }
  return Status::Ok();
}

Status EventTables::WriteDeliveries(const std::vector<core::WebhookDelivery>& deliveries) {
  std::set<std::string> touched;
  for (const core::WebhookDelivery& d : deliveries) {
    Statement& s = insert_delivery_;
    s.BindText(1, d.subscription);
    s.BindInt(2, static_cast<int64_t>(d.event_id));
    s.BindInt(3, d.attempt);
    s.BindInt(4, d.at);
    s.BindInt(5, d.http_status);
    s.BindInt(6, d.duration_ms);
    s.BindText(7, core::Name(d.outcome));
    s.BindText(8, d.error);
    s.BindInt(9, d.next_attempt_at);
    NS_RETURN_IF_ERROR(Fail(s.Run(), "delivery to webhook " + d.subscription));
    touched.insert(d.subscription);
  }
  for (const std::string& id : touched) {
    trim_deliveries_.BindText(1, id);
    trim_deliveries_.BindInt(2, kDeliveriesKept);
    NS_RETURN_IF_ERROR(trim_deliveries_.Run());
  }
  return Status::Ok();
}

Result<std::vector<core::Event>> EventTables::List(uint64_t after_id, int limit) {
  list_events_.BindInt(1, static_cast<int64_t>(after_id));
  list_events_.BindInt(2, limit);
  return ReadRows(list_events_, &ReadEventRow);
}

Result<std::vector<core::WebhookSubscription>> EventTables::Webhooks() {
  return ReadRows(select_webhooks_, &ReadWebhookRow);
}

Result<std::vector<core::WebhookDelivery>> EventTables::Deliveries(const std::string& subscription,
                                                                   int limit) {
  list_deliveries_.BindText(1, subscription);
  list_deliveries_.BindInt(2, limit);
  return ReadRows(list_deliveries_, &ReadDeliveryRow);
}

}  // namespace nightshift::store
