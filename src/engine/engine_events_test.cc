// Events: made from the engine's transitions, committed in the same transaction, handed to
// listeners only once committed, and read back after an id across a restart.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <utility>  // Boost 1.74's asio needs std::exchange declared first under GCC 12.

#include "engine/engine_metrics.h"
#include "engine/engine_test_fixture.h"
#include "metrics/prometheus_text.h"

namespace nightshift::engine {
namespace {

class EngineEventsTest : public EngineTest {
 protected:
  void Configure(Engine& engine) override {
    engine.AddEventListener([this](const Engine::EventBatch& batch) {
      published_.insert(published_.end(), batch->begin(), batch->end());
    });
  }

  // Every committed event after `after`, from the store.
  std::vector<core::Event> Stored(uint64_t after = 0) {
    Result<std::vector<core::Event>> events = engine_->ListEvents(after, 100'000);
    EXPECT_TRUE(events.ok()) << events.status().ToString();
    return events.ok() ? *events : std::vector<core::Event>{};
  }

  // The job statuses of `events` for job `id`, in order.
  static std::vector<std::string> StatusesOf(const std::vector<core::Event>& events,
                                             const std::string& id) {
    std::vector<std::string> out;
    for (const core::Event& e : events) {
      if (e.type == core::EventType::kJob &&
          nlohmann::json::parse(e.doc)["detail"]["jobId"] == id) {
        out.push_back(e.status);
      }
    }
    return out;
  }

  static void ExpectConsecutiveIds(const std::vector<core::Event>& events, uint64_t first) {
    for (size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i].id, first + i) << "at " << i;
  }

  std::vector<core::Event> published_;
};

TEST_F(EngineEventsTest, EveryTransitionOfAJobIsAnEventInOrder) {
  RegisterDefinition();
  std::string id = Submit("a");
  Drain();
  executor_->Exit({id, 1}, 3);
  Drain();
  // No dependencies: from SUBMITTED straight to RUNNABLE, as the scheduler moves it.
  const std::vector<std::string> expected = {"SUBMITTED", "RUNNABLE", "STARTING", "RUNNING",
                                             "FAILED"};
  EXPECT_EQ(StatusesOf(Stored(), id), expected);
  EXPECT_EQ(StatusesOf(published_, id), expected);
  ExpectConsecutiveIds(Stored(), Stored().front().id);
  nlohmann::json last = nlohmann::json::parse(Stored().back().doc);
  EXPECT_EQ(last["detail"]["status"], "FAILED");
  EXPECT_EQ(last["detail"]["previousStatus"], "RUNNING");
  EXPECT_EQ(last["detail"]["container"]["exitCode"], 3);
  EXPECT_EQ(last["detail"]["jobQueue"], "arn:aws:batch:us-east-1:000000000000:job-queue/default");
}

// A turn of more than 10,000 transitions writes its events' JSON at once on the loop rather
// than from drafts on the store writer thread: the events are the same either way.
TEST_F(EngineEventsTest, AnArrayJobExpandedInOneTurnHasEveryChildsEventsInFull) {
  RegisterDefinition();
  // Two transitions or more per child in the turn that expands it.
  const core::Job parent = SubmitArray("wide", 6000);
  Drain();
  std::string single = Submit("single");  // a turn of a few transitions: drafted
  Drain();
  std::map<std::string, std::vector<std::string>> statuses;
  for (const core::Event& e : Stored()) {
    if (e.type != core::EventType::kJob) continue;
    nlohmann::json doc = nlohmann::json::parse(e.doc);
    const std::string id = doc["detail"]["jobId"];
    EXPECT_EQ(doc["detail"]["status"], e.status) << id;
    EXPECT_EQ(doc["detail"]["jobArn"], "arn:aws:batch:us-east-1:000000000000:job/" + id);
    EXPECT_EQ(doc["id"], e.id);
    statuses[id].push_back(e.status);
  }
  for (const std::string& id : {parent.id + ":0", parent.id + ":5999", single}) {
    ASSERT_TRUE(statuses.count(id)) << id;
    EXPECT_EQ(statuses[id].front(), "SUBMITTED") << id;
    EXPECT_GE(statuses[id].size(), 2u) << id;
  }
  EXPECT_EQ(statuses.size(), 6000u + 2u);
  EXPECT_EQ(StatusesOf(published_, parent.id + ":4321"), StatusesOf(Stored(), parent.id + ":4321"));
}

TEST_F(EngineEventsTest, EventsAreCommittedWithTheirTransitionAndNotWhenTheCommitFails) {
  RegisterDefinition();
  Drain();
  const size_t before = Stored().size();
  published_.clear();
  flaky_->set_fail_commits(true);
  std::string id = Submit("a");
  Drain();
  EXPECT_EQ(Stored().size(), before);  // nothing of the failed commit
  EXPECT_TRUE(published_.empty());     // and nothing told to listeners
  EXPECT_FALSE(store_->GetJob(id)->has_value());
  flaky_->set_fail_commits(false);
  // The engine retries the commit on a timer; wait for it with a deadline.
  for (int i = 0; i < 500 && published_.empty(); ++i) {
    io_->restart();
    io_->run_one_for(std::chrono::milliseconds(10));
  }
  ASSERT_FALSE(published_.empty());
  EXPECT_TRUE(store_->GetJob(id)->has_value());
  EXPECT_EQ(StatusesOf(Stored(), id).front(), "SUBMITTED");
  EXPECT_EQ(StatusesOf(Stored(), id), StatusesOf(published_, id));
}

TEST_F(EngineEventsTest, ResumeAfterRestartReturnsExactlyTheMissedEvents) {
  RegisterDefinition();
  std::string a = Submit("a");
  Drain();
  ASSERT_FALSE(published_.empty());
  const uint64_t seen = published_.back().id;  // a client saw up to here, then lost the server
  const std::vector<core::Event> before_restart = Stored();
  OpenAndStart();  // a crash: what was committed stays, ids go on after it
  executor_->Exit({a, 1}, 0);
  std::string b = Submit("b");
  Drain();
  std::vector<core::Event> missed = Stored(seen);
  ASSERT_FALSE(missed.empty());
  ExpectConsecutiveIds(missed, seen + 1);
  // STARTING -> RUNNING is committed with a later turn (Engine::ArmLazyCommit), so the crash
  // came before it: the restarted engine adopts the attempt and the client gets RUNNING then.
  EXPECT_EQ(StatusesOf(missed, a), (std::vector<std::string>{"RUNNING", "SUCCEEDED"}));
  EXPECT_EQ(StatusesOf(missed, b).front(), "SUBMITTED");
  // The whole log is the old part and the missed part, nothing twice.
  std::vector<core::Event> all = Stored();
  ASSERT_EQ(all.size(), before_restart.size() + missed.size());
  ExpectConsecutiveIds(all, all.front().id);
}

TEST_F(EngineEventsTest, ScheduleChangesAreEventsButProgressWritesAreNot) {
  core::Schedule s;
  s.name = "nightly";
  s.expression = "0 2 * * *";
  s.target.arn = std::string(core::kSubmitJobTargetArn);
  s.target.input = "{}";
  ASSERT_TRUE(engine_->CreateSchedule(s).ok());
  Drain();
  ASSERT_TRUE(engine_->PauseSchedule("default", "nightly", "maintenance").ok());
  Drain();
  ASSERT_TRUE(engine_->DeleteSchedule("default", "nightly").ok());
  Drain();
  std::vector<std::string> changes;
  for (const core::Event& e : Stored()) {
    if (e.type == core::EventType::kSchedule) changes.push_back(e.status);
  }
  EXPECT_EQ(changes, (std::vector<std::string>{"CREATED", "PAUSED", "DELETED"}));
}

TEST_F(EngineEventsTest, MetricsCountJobsByStateAndTransitions) {
  RegisterDefinition();
  std::string id = Submit("a");
  Drain();
  const std::string running = "nightshift_jobs{state=\"RUNNING\",queue=\"default\"} 1";
  // RUNNING is committed, and counted, with the next turn (Engine::ArmLazyCommit).
  RunUntil([&] {
    return metrics::RenderText(engine_->metrics().registry()).find(running) != std::string::npos;
  });
  const std::string text = metrics::RenderText(engine_->metrics().registry());
  EXPECT_NE(text.find(running), std::string::npos) << text;
  EXPECT_NE(text.find("nightshift_job_transitions_total{from=\"STARTING\",to=\"RUNNING\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("nightshift_running_processes 1"), std::string::npos);
  EXPECT_NE(text.find("nightshift_dispatch_latency_seconds_count 1"), std::string::npos);
}

}  // namespace
}  // namespace nightshift::engine
