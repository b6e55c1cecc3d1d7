#include "core/event.h"

#include <gtest/gtest.h>

namespace nightshift::core {
namespace {

Event JobEventWith(std::string status, std::string queue, std::string pipeline = "") {
  Event e;
  e.type = EventType::kJob;
  e.status = std::move(status);
  e.queue = std::move(queue);
  e.pipeline = std::move(pipeline);
  return e;
}

EventFilter Parse(std::vector<std::pair<std::string, std::string>> params) {
  Result<EventFilter> filter = ParseEventFilter(params);
  EXPECT_TRUE(filter.ok()) << filter.status().ToString();
  return filter.ok() ? *filter : EventFilter{};
}

TEST(EventFilterTest, EmptyFilterMatchesEverything) {
  EXPECT_TRUE(Matches(EventFilter{}, JobEventWith("RUNNING", "default")));
}

TEST(EventFilterTest, EveryGivenDimensionMustMatch) {
  EventFilter f = Parse({{"type", "job"}, {"status", "failed"}, {"queue", "high"}});
  EXPECT_TRUE(Matches(f, JobEventWith("FAILED", "high")));
  EXPECT_FALSE(Matches(f, JobEventWith("FAILED", "low")));
  EXPECT_FALSE(Matches(f, JobEventWith("SUCCEEDED", "high")));
  Event run = JobEventWith("FAILED", "high");
  run.type = EventType::kRun;
  EXPECT_FALSE(Matches(f, run));
}

TEST(EventFilterTest, ListsAndRepeatedKeysAreAlternatives) {
  EventFilter f = Parse({{"type", "job,run"}, {"status", "SUCCEEDED"}, {"status", "failed"}});
  EXPECT_TRUE(Matches(f, JobEventWith("SUCCEEDED", "q")));
  EXPECT_TRUE(Matches(f, JobEventWith("FAILED", "q")));
  EXPECT_FALSE(Matches(f, JobEventWith("RUNNING", "q")));
  EXPECT_EQ(f.types.size(), 2u);
}

TEST(EventFilterTest, PipelineMatchesRunsAndStepJobs) {
  EventFilter f = Parse({{"pipeline", "etl"}});
  EXPECT_TRUE(Matches(f, JobEventWith("RUNNING", "default", "etl")));
  EXPECT_FALSE(Matches(f, JobEventWith("RUNNING", "default")));
}

TEST(EventFilterTest, UnknownTypeIsRefusedWithItsName) {
  Result<EventFilter> f = ParseEventFilter({{"type", "job,jobs"}});
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("'jobs'"), std::string::npos);
}

TEST(EventFilterTest, FormatReadsBackAsTheSameFilter) {
  EventFilter f = Parse({{"type", "run"}, {"status", "failed"}, {"pipeline", "etl,nightly"}});
  EXPECT_EQ(FormatEventFilter(f), "type=run&status=FAILED&pipeline=etl,nightly");
  Result<EventFilter> back_result = ParseEventFilterQuery(FormatEventFilter(f));
  ASSERT_TRUE(back_result.ok());
  const EventFilter& back = *back_result;
  EXPECT_EQ(back.types, f.types);
  EXPECT_EQ(back.statuses, f.statuses);
  EXPECT_EQ(back.pipelines, f.pipelines);
}

}  // namespace
}  // namespace nightshift::core
