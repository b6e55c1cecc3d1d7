// The Dispatcher on its own thread against a real HTTP receiver on loopback: events read back
// from the log and events just committed arrive once each, in id order, signed; a failed attempt
// is retried after the backoff and recorded; a filter holds back what it does not match; the
// cursor only moves forward. The hooks are called on the dispatcher's thread while the test's
// thread commits, so these tests are also what ThreadSanitizer checks (scripts/test.sh --tsan).
#include "webhooks/dispatcher.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "webhooks/signature.h"

namespace nightshift::webhooks {
namespace {

using namespace std::chrono_literals;

struct Received {
  uint64_t event_id = 0;
  int attempt = 0;
  std::string body;
  std::string signature;
};

std::string HeaderValue(const std::string& head, const std::string& name) {
  const std::string key = "\r\n" + name + ": ";
  size_t at = head.find(key);
  if (at == std::string::npos) return "";
  at += key.size();
  return head.substr(at, head.find("\r\n", at) - at);
}

// An HTTP/1.1 receiver on 127.0.0.1: one request per connection, answered 500 for the attempts
// `fail` says to fail and 200 otherwise.
class Receiver {
 public:
  explicit Receiver(std::function<bool(uint64_t event_id, int attempt)> fail) : fail_(std::move(fail)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(listen_fd_, 64), 0);
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~Receiver() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }

  // Waits (up to 30 s) until `done` holds for what was received; returns a copy of it.
  std::vector<Received> WaitFor(const std::function<bool(const std::vector<Received>&)>& done) {
    std::unique_lock lock(mu_);
    EXPECT_TRUE(cv_.wait_for(lock, 30s, [&] { return done(received_); })) << "receiver waited 30 s";
    return received_;
  }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      std::string data;
      char buffer[4096];
      size_t head_end = std::string::npos;
      size_t body_size = 0;
      while (head_end == std::string::npos || data.size() < head_end + 4 + body_size) {
        ssize_t got = ::read(fd, buffer, sizeof buffer);
        if (got <= 0) break;
        data.append(buffer, static_cast<size_t>(got));
        if (head_end == std::string::npos && (head_end = data.find("\r\n\r\n")) != std::string::npos) {
          body_size = std::stoul(HeaderValue(data.substr(0, head_end + 2), "Content-Length"));
        }
      }
      Received r;
      if (head_end != std::string::npos) {
        const std::string head = data.substr(0, head_end + 2);
        r.event_id = std::stoull(HeaderValue(head, "X-Nightshift-Event-Id"));
        r.attempt = std::stoi(HeaderValue(head, "X-Nightshift-Delivery-Attempt"));
        r.signature = HeaderValue(head, kSignatureHeader);
        r.body = data.substr(head_end + 4, body_size);
      }
      const bool failed = fail_(r.event_id, r.attempt);
      const std::string answer = failed ? "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                                        : "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      {
        std::lock_guard lock(mu_);
        received_.push_back(r);
      }
      cv_.notify_all();
      (void)!::write(fd, answer.data(), answer.size());
      ::close(fd);
    }
  }

  std::function<bool(uint64_t, int)> fail_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Received> received_;
  std::thread thread_;
};

core::Event MakeEvent(uint64_t id, const std::string& status) {
  core::Event e;
  e.id = id;
  e.type = core::EventType::kJob;
  e.at = 1'700'000'000'000 + static_cast<TimeMs>(id);
  e.status = status;
  e.queue = "default";
  e.doc = R"({"id":)" + std::to_string(id) + R"(,"status":")" + status + R"("})";
  return e;
}

// The engine's side: an event log the dispatcher reads back, and the records it writes.
struct FakeEngine {
  std::mutex mu;
  std::vector<core::Event> log;  // committed, ids ascending
  std::vector<std::pair<core::WebhookDelivery, std::optional<uint64_t>>> records;
  std::condition_variable recorded;

  Dispatcher::Hooks Hooks() {
    Dispatcher::Hooks hooks;
    hooks.fetch = [this](uint64_t after, int limit, std::function<void(std::vector<core::Event>)> reply) {
      std::vector<core::Event> page;
      {
        std::lock_guard lock(mu);
        for (const core::Event& e : log) {
          if (e.id > after && static_cast<int>(page.size()) < limit) page.push_back(e);
        }
      }
      // As the engine does: the reply comes from another thread.
      std::thread([reply = std::move(reply), page = std::move(page)]() mutable { reply(std::move(page)); }).detach();
    };
    hooks.record = [this](const core::WebhookDelivery& d, std::optional<uint64_t> cursor) {
      {
        std::lock_guard lock(mu);
        records.emplace_back(d, cursor);
      }
      recorded.notify_all();
    };
    return hooks;
  }

  // The receiver sees a request before the dispatcher records its answer: waits (up to 30 s)
  // for `n` records.
  void WaitForRecords(size_t n) {
    std::unique_lock lock(mu);
    EXPECT_TRUE(recorded.wait_for(lock, 30s, [&] { return records.size() >= n; })) << "records waited 30 s";
  }

  Dispatcher::EventBatch Commit(uint64_t from, uint64_t to, const std::string& status) {
    auto batch = std::make_shared<std::vector<core::Event>>();
    for (uint64_t id = from; id <= to; ++id) batch->push_back(MakeEvent(id, status));
    std::lock_guard lock(mu);
    log.insert(log.end(), batch->begin(), batch->end());
    return batch;
  }
};

core::WebhookSubscription Subscription(const std::string& url) {
  core::WebhookSubscription s;
  s.id = "sub-1";
  s.url = url;
  s.secret = "s3cret";
  s.retry.max_attempts = 3;
  s.retry.initial_delay_ms = 50;
  s.retry.max_delay_ms = 200;
  return s;
}

TEST(DispatcherTest, DeliversLoggedAndCommittedEventsOnceEachInOrderRetryingAFailure) {
  Receiver receiver([](uint64_t event_id, int attempt) { return event_id == 3 && attempt == 1; });
  FakeEngine engine;
  engine.Commit(1, 5, "SUCCEEDED");  // before the subscription existed: read back from the log
  SystemClock clock;
  {
    Dispatcher dispatcher(clock, engine.Hooks(), Dispatcher::Options{2000ms, 10'000});
    dispatcher.Upsert(Subscription(receiver.url()));
    for (uint64_t id = 6; id <= 40; id += 5) dispatcher.OnCommitted(engine.Commit(id, id + 4, "FAILED"));
    std::vector<Received> got = receiver.WaitFor([](const std::vector<Received>& r) {
      return !r.empty() && r.back().event_id == 40;
    });
    // 40 events, event 3 twice (its first attempt answered 500).
    std::string seen;
    for (const Received& r : got) seen += std::to_string(r.event_id) + "/" + std::to_string(r.attempt) + " ";
    ASSERT_EQ(got.size(), 41u) << seen;
    std::vector<uint64_t> order;
    for (const Received& r : got) {
      order.push_back(r.event_id);
      EXPECT_EQ(r.signature, Signature("s3cret", r.body));
      EXPECT_EQ(r.body, MakeEvent(r.event_id, r.event_id <= 5 ? "SUCCEEDED" : "FAILED").doc);
    }
    std::vector<uint64_t> expected = {1, 2, 3, 3};
    for (uint64_t id = 4; id <= 40; ++id) expected.push_back(id);
    EXPECT_EQ(order, expected);
    EXPECT_EQ(got[3].attempt, 2);
    engine.WaitForRecords(41);
  }
  std::lock_guard lock(engine.mu);
  ASSERT_EQ(engine.records.size(), 41u);
  uint64_t last_cursor = 0;
  for (const auto& [delivery, cursor] : engine.records) {
    if (delivery.event_id == 3 && delivery.attempt == 1) {
      EXPECT_EQ(delivery.outcome, core::DeliveryOutcome::kRetrying);
      EXPECT_EQ(delivery.http_status, 500);
      EXPECT_FALSE(cursor.has_value());
      EXPECT_GT(delivery.next_attempt_at, 0);
      continue;
    }
    EXPECT_EQ(delivery.outcome, core::DeliveryOutcome::kDelivered);
    ASSERT_TRUE(cursor.has_value());
    EXPECT_GT(*cursor, last_cursor);
    last_cursor = *cursor;
  }
  EXPECT_EQ(last_cursor, 40u);
}

TEST(DispatcherTest, GivesUpAfterTheLastAttemptAndMovesOn) {
  Receiver receiver([](uint64_t event_id, int) { return event_id == 2; });
  FakeEngine engine;
  SystemClock clock;
  {
    Dispatcher dispatcher(clock, engine.Hooks(), Dispatcher::Options{2000ms, 10'000});
    dispatcher.Upsert(Subscription(receiver.url()));
    dispatcher.OnCommitted(engine.Commit(1, 3, "FAILED"));
    std::vector<Received> got =
        receiver.WaitFor([](const std::vector<Received>& r) { return !r.empty() && r.back().event_id == 3; });
    std::vector<std::pair<uint64_t, int>> attempts;
    for (const Received& r : got) attempts.emplace_back(r.event_id, r.attempt);
    EXPECT_EQ(attempts, (std::vector<std::pair<uint64_t, int>>{{1, 1}, {2, 1}, {2, 2}, {2, 3}, {3, 1}}));
    engine.WaitForRecords(5);
  }
  std::lock_guard lock(engine.mu);
  ASSERT_EQ(engine.records.size(), 5u);
  EXPECT_EQ(engine.records[3].first.outcome, core::DeliveryOutcome::kGaveUp);
  EXPECT_EQ(engine.records[3].second, std::optional<uint64_t>(2));
}

// Batches committed while nothing is subscribed do not wake the dispatcher's thread; a later
// subscription reads them from the log, then takes the next batches as they are committed.
TEST(DispatcherTest, ASubscriptionReadsFromTheLogWhatWasCommittedBeforeIt) {
  Receiver receiver([](uint64_t, int) { return false; });
  FakeEngine engine;
  SystemClock clock;
  {
    Dispatcher dispatcher(clock, engine.Hooks(), Dispatcher::Options{2000ms, 10'000});
    dispatcher.OnCommitted(engine.Commit(1, 3, "SUCCEEDED"));
    dispatcher.OnCommitted(engine.Commit(4, 5, "FAILED"));
    dispatcher.Upsert(Subscription(receiver.url()));
    dispatcher.OnCommitted(engine.Commit(6, 8, "RUNNING"));
    std::vector<Received> got =
        receiver.WaitFor([](const std::vector<Received>& r) { return !r.empty() && r.back().event_id == 8; });
    std::vector<uint64_t> ids;
    for (const Received& r : got) ids.push_back(r.event_id);
    EXPECT_EQ(ids, (std::vector<uint64_t>{1, 2, 3, 4, 5, 6, 7, 8}));
  }
}

TEST(DispatcherTest, AFilterHoldsBackWhatItDoesNotMatch) {
  Receiver receiver([](uint64_t, int) { return false; });
  FakeEngine engine;
  SystemClock clock;
  core::WebhookSubscription s = Subscription(receiver.url());
  s.filter.statuses = {"FAILED"};
  {
    Dispatcher dispatcher(clock, engine.Hooks(), Dispatcher::Options{2000ms, 10'000});
    dispatcher.Upsert(s);
    dispatcher.OnCommitted(engine.Commit(1, 10, "SUCCEEDED"));
    dispatcher.OnCommitted(engine.Commit(11, 12, "FAILED"));
    dispatcher.OnCommitted(engine.Commit(13, 20, "RUNNING"));
    dispatcher.OnCommitted(engine.Commit(21, 21, "FAILED"));
    std::vector<Received> got =
        receiver.WaitFor([](const std::vector<Received>& r) { return !r.empty() && r.back().event_id == 21; });
    std::vector<uint64_t> ids;
    for (const Received& r : got) ids.push_back(r.event_id);
    EXPECT_EQ(ids, (std::vector<uint64_t>{11, 12, 21}));
  }
}

}  // namespace
}  // namespace nightshift::webhooks
