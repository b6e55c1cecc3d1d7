// The events table and the webhook tables (schema.cc, version 4): the statements that append,
// prune and read events, and that keep webhook subscriptions, their cursors and delivery logs.
// SqliteStore owns one EventTables and calls it inside its transactions.
// Thread-safety: none; the statements belong to the store's connection.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/event.h"
#include "core/webhook.h"
#include "store/sqlite_db.h"
#include "store/store.h"
#include "util/status.h"

namespace nightshift::store {

class EventTables {
 public:
  // Prepares every statement on `db`, which must outlive this.
  static Result<EventTables> Prepare(Database& db);

  // Inside the caller's write transaction: the batch's events, prune, subscriptions, cursors
  // and deliveries, in that order.
  Status Write(const WriteBatch& batch);

  Result<std::vector<core::Event>> List(uint64_t after_id, int limit);
  Result<std::vector<core::WebhookSubscription>> Webhooks();
  Result<std::vector<core::WebhookDelivery>> Deliveries(const std::string& subscription, int limit);

 private:
  EventTables() = default;
  Status WriteEvents(const std::vector<core::Event>& events);
  Status Prune(const EventPrune& prune);
  Status WriteWebhooks(const WriteBatch& batch);
  Status WriteDeliveries(const std::vector<core::WebhookDelivery>& deliveries);

  Statement insert_event_;
  Statement bump_max_event_id_;
  Statement prune_by_id_;
  Statement prune_by_age_;
  Statement list_events_;
  Statement upsert_webhook_;
  Statement delete_webhook_;
  Statement delete_deliveries_of_webhook_;
  Statement advance_cursor_;
  Statement select_webhooks_;
  Statement insert_delivery_;
  Statement trim_deliveries_;
  Statement list_deliveries_;
};

}  // namespace nightshift::store
