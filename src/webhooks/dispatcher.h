// Dispatcher: delivers events to webhook subscriptions on its own thread and io_context, so a
// slow or dead receiver never slows the engine. Per subscription, events go out one at a time in
// id order; a failed attempt (no answer within the timeout, or a non-2xx status) is retried
// after the subscription's backoff (core/webhook.h) until its last attempt, then given up.
// Delivery is at least once: events come from the engine after their commit, and any the
// dispatcher has not seen (after a restart, or when a subscription's queue was full) are read
// again from the event log after the subscription's cursor.
//
// Thread-safety: the public methods may be called from any thread; they post to the
// dispatcher's thread, which alone touches its state. The Hooks are called on that thread and
// must hand their work to the engine's loop themselves.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/event.h"
#include "core/webhook.h"
#include "util/clock.h"

namespace boost::asio {
class io_context;
}

namespace nightshift::webhooks {

class Dispatcher {
 public:
  using EventBatch = std::shared_ptr<const std::vector<core::Event>>;
  struct Hooks {
    // Reads up to `limit` committed events after `after_id` and passes them to `reply` (from
    // any thread).
    std::function<void(uint64_t after_id, int limit,
                       std::function<void(std::vector<core::Event>)> reply)>
        fetch;
    // Records an attempt and, when the subscription is done with its event, the new cursor.
    std::function<void(const core::WebhookDelivery& delivery, std::optional<uint64_t> cursor)>
        record;
  };
  struct Options {
    std::chrono::milliseconds timeout{10'000};  // per attempt
    size_t max_queued = 10'000;  // events held per subscription; more are re-read later
  };

  Dispatcher(const Clock& clock, Hooks hooks, Options options);
  ~Dispatcher();  // stops the thread; undelivered events stay for the next start
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  void Upsert(core::WebhookSubscription subscription);
  void Remove(const std::string& id);
  // Events just committed, ids ascending. Ignored while there is no subscription: the thread is
  // not woken for them, and a subscription made later reads what it wants from the event log.
  void OnCommitted(EventBatch batch);

 private:
  struct Target;

  void Consider(Target& t, const core::Event& event);
  void Fetch(const std::string& id);
  void Pump(const std::string& id);
  void OnResult(const std::string& id, uint64_t event_id, TimeMs started, int status,
                const std::string& error);

  const Clock& clock_;
  Hooks hooks_;
  Options options_;
  std::shared_ptr<boost::asio::io_context> io_;
  std::map<std::string, std::unique_ptr<Target>> targets_;  // by subscription id
  uint64_t newest_seen_ = 0;  // the newest committed event id the dispatcher has heard of
  std::mutex subscribed_mu_;
  std::set<std::string> subscribed_;  // the ids of Upsert minus Remove, as the callers see them
  std::atomic<bool> any_subscribed_{false};
  std::thread thread_;
};

}  // namespace nightshift::webhooks
