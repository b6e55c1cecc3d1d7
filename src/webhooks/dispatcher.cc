#include "webhooks/dispatcher.h"

#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <utility>  // Boost 1.74's asio needs std::exchange declared first under GCC 12.

#include "webhooks/http_post.h"
#include "webhooks/signature.h"

namespace nightshift::webhooks {
namespace {

namespace asio = boost::asio;

constexpr int kFetchPage = 500;

bool Succeeded(int status) { return status >= 200 && status < 300; }

}  // namespace

struct Dispatcher::Target {
  Target(asio::io_context& io, core::WebhookSubscription s)
      : subscription(std::move(s)), considered(subscription.cursor), retry_timer(io) {}
  core::WebhookSubscription subscription;
  std::optional<HttpUrl> url;
  uint64_t considered;            // every event up to this id is queued or passed over
  std::deque<core::Event> queue;  // matching events to deliver, in id order
  bool fetching = false;
  bool in_flight = false;
  bool waiting = false;  // for the retry timer
  int attempt = 0;       // of the queue's front
  asio::steady_timer retry_timer;
};

Dispatcher::Dispatcher(const Clock& clock, Hooks hooks, Options options)
    : clock_(clock),
      hooks_(std::move(hooks)),
      options_(options),
      io_(std::make_shared<asio::io_context>(1)) {
  thread_ = std::thread([io = io_] {
    auto guard = asio::make_work_guard(*io);
    io->run();
  });
}

Dispatcher::~Dispatcher() {
  io_->stop();
  thread_.join();
  // Handlers still queued (replies of fetches included) are destroyed with io_, never run.
  targets_.clear();
}

void Dispatcher::Upsert(core::WebhookSubscription subscription) {
  {
    std::lock_guard lock(subscribed_mu_);
    subscribed_.insert(subscription.id);
    any_subscribed_ = true;
  }
  asio::post(*io_, [this, s = std::move(subscription)]() mutable {
    const std::string id = s.id;
    auto target = std::make_unique<Target>(*io_, std::move(s));
    Result<HttpUrl> url = ParseHttpUrl(target->subscription.url);
    if (url.ok()) target->url = *url;
    targets_[id] = std::move(target);
    Fetch(id);  // what it missed while the server was down, if anything
  });
}

void Dispatcher::Remove(const std::string& id) {
  {
    std::lock_guard lock(subscribed_mu_);
    subscribed_.erase(id);
    any_subscribed_ = !subscribed_.empty();
  }
  asio::post(*io_, [this, id] { targets_.erase(id); });
}

void Dispatcher::OnCommitted(EventBatch batch) {
  if (!batch || batch->empty() || !any_subscribed_) return;
  asio::post(*io_, [this, batch] {
    newest_seen_ = std::max(newest_seen_, batch->back().id);
    for (auto& [id, target] : targets_) {
      Target& t = *target;
      // Events after a gap (a fetch in progress, a full queue) are read from the log later.
      if (t.fetching || t.considered + 1 < batch->front().id) {
        if (!t.fetching && t.queue.size() < options_.max_queued) Fetch(id);
        continue;
      }
      for (const core::Event& event : *batch) Consider(t, event);
      Pump(id);
    }
  });
}

void Dispatcher::Consider(Target& t, const core::Event& event) {
  if (event.id <= t.considered || t.queue.size() >= options_.max_queued) return;
  if (core::Matches(t.subscription.filter, event)) t.queue.push_back(event);
  t.considered = event.id;
}

void Dispatcher::Fetch(const std::string& id) {
  Target& t = *targets_.at(id);
  t.fetching = true;
  std::weak_ptr<asio::io_context> io = io_;
  hooks_.fetch(t.considered, kFetchPage, [this, io, id](std::vector<core::Event> events) {
    std::shared_ptr<asio::io_context> alive = io.lock();
    if (!alive) return;
    asio::post(*alive, [this, id, events = std::move(events)] {
      auto it = targets_.find(id);
      if (it == targets_.end()) return;
      Target& t = *it->second;
      t.fetching = false;
      for (const core::Event& event : events) Consider(t, event);
      if (!events.empty()) newest_seen_ = std::max(newest_seen_, events.back().id);
      const bool more = events.size() == static_cast<size_t>(kFetchPage);
      if (more && t.queue.size() < options_.max_queued / 2) Fetch(id);
      Pump(id);
    });
  });
}

void Dispatcher::Pump(const std::string& id) {
  auto it = targets_.find(id);
  if (it == targets_.end()) return;
  Target& t = *it->second;
  if (t.in_flight || t.waiting) return;
  if (t.queue.empty()) {
    if (!t.fetching && t.considered < newest_seen_) Fetch(id);
    return;
  }
  const core::Event& event = t.queue.front();
  ++t.attempt;
  if (!t.url) {
    OnResult(id, event.id, clock_.NowMs(), 0, "bad url " + t.subscription.url);
    return;
  }
  t.in_flight = true;
  std::vector<std::pair<std::string, std::string>> headers = {
      {kSignatureHeader, Signature(t.subscription.secret, event.doc)},
      {"X-Nightshift-Event-Id", std::to_string(event.id)},
      {"X-Nightshift-Delivery-Attempt", std::to_string(t.attempt)},
      {"X-Nightshift-Subscription", t.subscription.id}};
  const TimeMs started = clock_.NowMs();
  AsyncPost(*io_, *t.url, event.doc, std::move(headers), options_.timeout,
            [this, id, event_id = event.id, started](PostResult result) {
              OnResult(id, event_id, started, result.status, result.error);
            });
}

void Dispatcher::OnResult(const std::string& id, uint64_t event_id, TimeMs started, int status,
                          const std::string& error) {
  auto it = targets_.find(id);
  if (it == targets_.end()) return;  // deleted meanwhile
  Target& t = *it->second;
  t.in_flight = false;
  core::WebhookDelivery d;
  d.subscription = id;
  d.event_id = event_id;
  d.attempt = t.attempt;
  d.at = started;
  d.http_status = status;
  d.duration_ms = clock_.NowMs() - started;
  d.error = error.empty() && !Succeeded(status) ? "HTTP " + std::to_string(status) : error;
  std::optional<int64_t> delay =
      Succeeded(status) ? std::nullopt : core::RetryDelayMs(t.subscription.retry, t.attempt);
  if (delay) {
    d.outcome = core::DeliveryOutcome::kRetrying;
    d.next_attempt_at = clock_.NowMs() + *delay;
    hooks_.record(d, std::nullopt);
    t.waiting = true;
    t.retry_timer.expires_after(std::chrono::milliseconds(*delay));
    t.retry_timer.async_wait([this, id](boost::system::error_code ec) {
      if (ec) return;
      auto found = targets_.find(id);
      if (found == targets_.end()) return;
      found->second->waiting = false;
      Pump(id);
    });
    return;
  }
  d.outcome =
      Succeeded(status) ? core::DeliveryOutcome::kDelivered : core::DeliveryOutcome::kGaveUp;
  if (d.outcome == core::DeliveryOutcome::kGaveUp) {
    spdlog::warn("webhook {}: gave up on event {} after {} attempts: {}", id, event_id, t.attempt,
                 d.error);
  }
  t.queue.pop_front();
  t.attempt = 0;
  hooks_.record(d, event_id);
  Pump(id);
}

}  // namespace nightshift::webhooks
