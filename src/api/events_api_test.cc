// The event stream's behaviour towards clients, on a real engine (fake executor and clock): a
// client that stops reading is dropped with a "dropped" event naming where to resume, and
// resuming there gives every later event once, in order.
#include "api/events_api.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <utility>  // Boost 1.74's asio needs std::exchange declared first under GCC 12.

#include "engine/engine_test_fixture.h"

namespace nightshift::api {
namespace {

// A client connection that takes nothing: every byte sent stays queued.
class StalledStream final : public ResponseStream {
 public:
  bool Send(std::string data, size_t limit) override {
    if (finished_ || queued_.size() + data.size() > limit) return false;
    queued_ += data;
    return true;
  }
  void Finish(std::string data) override {
    queued_ += data;
    finished_ = true;
  }
  bool open() const override { return !finished_; }
  size_t queued_bytes() const override { return queued_.size(); }
  uint64_t written_bytes() const override { return 0; }
  void OnDrained(std::function<void()> callback) override {}
  void OnClosed(std::function<void()> callback) override {}

  const std::string& text() const { return queued_; }
  bool finished() const { return finished_; }

 private:
  std::string queued_;
  bool finished_ = false;
};

// The ids of the events in SSE text, in order.
std::vector<uint64_t> Ids(const std::string& text) {
  std::vector<uint64_t> ids;
  for (size_t at = text.find("\nid: "); at != std::string::npos; at = text.find("\nid: ", at + 1)) {
    ids.push_back(std::stoull(text.substr(at + 5)));
  }
  return ids;
}

class EventsApiTest : public engine::EngineTest {
 protected:
  std::shared_ptr<StalledStream> Connect(EventsApi& api, const std::string& last_event_id = "") {
    HttpRequest request;
    request.method = "GET";
    request.path = "/api/v1/events";
    if (!last_event_id.empty()) request.headers["last-event-id"] = last_event_id;
    auto stream = std::make_shared<StalledStream>();
    bool answered = false;
    EXPECT_TRUE(api.Handle(request, [&](HttpResponse r) {
      answered = true;
      ASSERT_TRUE(r.stream);
      EXPECT_EQ(r.content_type, "text/event-stream");
      r.stream(stream);
    }));
    EXPECT_TRUE(answered);
    return stream;
  }
};

TEST_F(EventsApiTest, AClientThatFallsBehindIsDroppedWithWhereToResume) {
  EventsApi api(*engine_);
  RegisterDefinition();
  std::shared_ptr<StalledStream> slow = Connect(api);
  // Hundreds of jobs make more events than the client's 1 MiB buffer holds; twenty to a commit
  // (with one job to a commit, the test spent 14 s, mostly in fsyncs).
  for (int i = 0; i < 2000 && !slow->finished(); i += 20) {
    for (int k = i; k < i + 20; ++k) Submit("j" + std::to_string(k));
    Drain();
  }
  ASSERT_TRUE(slow->finished());
  const std::string& text = slow->text();
  const std::string kDropped = "event: dropped\ndata: ";
  const size_t dropped = text.find(kDropped);
  ASSERT_NE(dropped, std::string::npos);
  const std::vector<uint64_t> sent = Ids(text);
  ASSERT_FALSE(sent.empty());
  const size_t data = dropped + kDropped.size();
  auto message = nlohmann::json::parse(text.substr(data, text.find('\n', data) - data));
  EXPECT_EQ(message["resume_after"], sent.back());
  EXPECT_LE(text.size(), EventsApi::kClientBufferLimit + 1024);  // bounded, whatever the engine did

  // The engine went on; a client resuming where it was told gets the rest, once and in order.
  std::shared_ptr<StalledStream> resumed = Connect(api, std::to_string(sent.back()));
  Drain();
  const std::vector<uint64_t> rest = Ids(resumed->text());
  ASSERT_FALSE(rest.empty());
  for (size_t i = 0; i < rest.size(); ++i) EXPECT_EQ(rest[i], sent.back() + 1 + i);
  EXPECT_EQ(rest.back(), engine_->last_committed_event_id());
}

TEST_F(EventsApiTest, ResumeSendsTheStoredEventsThenTheLiveOnes) {
  EventsApi api(*engine_);
  RegisterDefinition();
  Submit("a");
  Drain();
  std::shared_ptr<StalledStream> client = Connect(api, "0");
  Drain();
  const size_t stored = Ids(client->text()).size();
  EXPECT_GT(stored, 0u);
  Submit("b");
  Drain();
  const std::vector<uint64_t> ids = Ids(client->text());
  EXPECT_GT(ids.size(), stored);
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(ids[i], 1 + i);
}

}  // namespace
}  // namespace nightshift::api
