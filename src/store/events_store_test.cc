// The event log and webhook tables of the SQLite store: append, read after an id, retention,
// the id counter across prunes and restarts, subscriptions with cursors, delivery logs.
#include <gtest/gtest.h>

#include "store/sqlite_store.h"
#include "store/store_test_util.h"

namespace nightshift::store {
namespace {

using testing::OpenOrDie;
using testing::TempDir;

core::Event MakeEvent(uint64_t id, TimeMs at = 1000, std::string queue = "default") {
  core::Event e;
  e.id = id;
  e.type = core::EventType::kJob;
  e.at = at;
  e.status = "RUNNING";
  e.queue = std::move(queue);
  e.doc = "{\"id\":" + std::to_string(id) + "}";
  return e;
}

std::vector<uint64_t> Ids(const std::vector<core::Event>& events) {
  std::vector<uint64_t> ids;
  for (const core::Event& e : events) ids.push_back(e.id);
  return ids;
}

TEST(EventStoreTest, EventsReadBackAfterAnIdInOrder) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("s.db"));
  ASSERT_TRUE(store->Commit({.events = {MakeEvent(1), MakeEvent(2)}}).ok());
  ASSERT_TRUE(store->Commit({.events = {MakeEvent(3, 1000, "q\"x")}}).ok());
  Result<std::vector<core::Event>> after1 = store->ListEvents(1, 100);
  ASSERT_TRUE(after1.ok()) << after1.status().ToString();
  EXPECT_EQ(Ids(*after1), (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ((*after1)[1].queue, "q\"x");
  EXPECT_EQ((*after1)[1].doc, "{\"id\":3}");
  EXPECT_EQ(Ids(*store->ListEvents(0, 2)), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(store->Load()->max_event_id, 3u);
}

TEST(EventStoreTest, PruneKeepsTheIdCounter) {
  TempDir dir;
  {
    auto store = OpenOrDie(dir.File("s.db"));
    ASSERT_TRUE(
        store->Commit({.events = {MakeEvent(1, 10), MakeEvent(2, 20), MakeEvent(3, 30)}}).ok());
    ASSERT_TRUE(
        store->Commit({.prune_events = EventPrune{.max_id_to_drop = 1, .older_than = 25}}).ok());
    EXPECT_EQ(Ids(*store->ListEvents(0, 100)), (std::vector<uint64_t>{3}));
    ASSERT_TRUE(
        store->Commit({.prune_events = EventPrune{.max_id_to_drop = 3, .older_than = 0}}).ok());
    EXPECT_TRUE(store->ListEvents(0, 100)->empty());
  }
  auto reopened = OpenOrDie(dir.File("s.db"));
  EXPECT_EQ(reopened->Load()->max_event_id, 3u);
}

TEST(EventStoreTest, APruneOfTheBatchsOwnEventsKeepsTheirIds) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("s.db"));
  ASSERT_TRUE(store->Commit({.events = {MakeEvent(1, 10)}}).ok());
  ASSERT_TRUE(store->Commit({.events = {MakeEvent(2, 20), MakeEvent(3, 30)},
                             .prune_events = EventPrune{.max_id_to_drop = 3, .older_than = 0}})
                  .ok());
  EXPECT_TRUE(store->ListEvents(0, 100)->empty());
  EXPECT_EQ(store->Load()->max_event_id, 3u);
  ASSERT_TRUE(store->Commit({.events = {MakeEvent(4, 40)}}).ok());
  EXPECT_EQ(store->Load()->max_event_id, 4u);
}

TEST(EventStoreTest, WebhooksKeepTheirCursorAndDeliveryLog) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("s.db"));
  core::WebhookSubscription w;
  w.id = "w1";
  w.url = "http://127.0.0.1:9/hook";
  w.secret = "s3cret";
  w.filter.types = {core::EventType::kRun};
  w.filter.statuses = {"FAILED"};
  w.retry.max_attempts = 3;
  ASSERT_TRUE(store->Commit({.webhooks = {w}}).ok());
  core::WebhookDelivery d;
  d.subscription = "w1";
  d.event_id = 5;
  d.outcome = core::DeliveryOutcome::kRetrying;
  d.http_status = 500;
  ASSERT_TRUE(
      store->Commit({.webhook_cursors = {{"w1", 5}, {"w1", 4}}, .webhook_deliveries = {d}}).ok());
  Result<Snapshot> snapshot = store->Load();
  ASSERT_TRUE(snapshot.ok());
  ASSERT_EQ(snapshot->webhooks.size(), 1u);
  const core::WebhookSubscription& back = snapshot->webhooks[0];
  EXPECT_EQ(back.cursor, 5u);  // never moves back
  EXPECT_EQ(back.secret, "s3cret");
  EXPECT_EQ(back.filter.statuses, w.filter.statuses);
  EXPECT_EQ(back.filter.types, w.filter.types);
  EXPECT_EQ(back.retry.max_attempts, 3);
  Result<std::vector<core::WebhookDelivery>> log = store->ListDeliveries("w1", 10);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 1u);
  EXPECT_EQ((*log)[0].http_status, 500);
  EXPECT_EQ((*log)[0].outcome, core::DeliveryOutcome::kRetrying);

  ASSERT_TRUE(store->Commit({.deleted_webhooks = {"w1"}}).ok());
  EXPECT_TRUE(store->Load()->webhooks.empty());
  EXPECT_TRUE(store->ListDeliveries("w1", 10)->empty());
}

TEST(EventStoreTest, DeliveryLogKeepsTheNewestEntries) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("s.db"));
  WriteBatch batch;
  for (int i = 1; i <= kDeliveriesKept + 5; ++i) {
    core::WebhookDelivery d;
    d.subscription = "w1";
    d.event_id = static_cast<uint64_t>(i);
    batch.webhook_deliveries.push_back(d);
  }
  ASSERT_TRUE(store->Commit(batch).ok());
  Result<std::vector<core::WebhookDelivery>> log = store->ListDeliveries("w1", 2 * kDeliveriesKept);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), static_cast<size_t>(kDeliveriesKept));
  EXPECT_EQ(log->front().event_id, static_cast<uint64_t>(kDeliveriesKept + 5));
  EXPECT_EQ(log->back().event_id, 6u);
}

}  // namespace
}  // namespace nightshift::store
