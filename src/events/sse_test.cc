#include "events/sse.h"

#include <gtest/gtest.h>

namespace nightshift::events {
namespace {

TEST(SseTest, EventHasIdTypeAndOneDataLine) {
  core::Event e;
  e.id = 12;
  e.type = core::EventType::kRun;
  e.doc = R"({"id":12})";
  EXPECT_EQ(SseEvent(e), "id: 12\nevent: run\ndata: {\"id\":12}\n\n");
}

TEST(SseTest, CommentAndDroppedMessage) {
  EXPECT_EQ(SseComment("heartbeat"), ": heartbeat\n\n");
  std::string dropped = SseDropped(99);
  EXPECT_EQ(dropped.rfind("event: dropped\ndata: {\"resume_after\":99,", 0), 0u);
  EXPECT_EQ(dropped.find("id:"), std::string::npos);  // keeps the client's Last-Event-ID
  EXPECT_EQ(dropped.substr(dropped.size() - 2), "\n\n");
}

TEST(SseTest, ResumePointPrefersTheHeader) {
  EXPECT_EQ(*ResumePoint("", ""), std::nullopt);
  EXPECT_EQ(*ResumePoint("", "5"), 5u);
  EXPECT_EQ(*ResumePoint("7", "5"), 7u);
  Result<std::optional<uint64_t>> bad = ResumePoint("x7", "");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("Last-Event-ID"), std::string::npos);
  EXPECT_FALSE(ResumePoint("", "-1").ok());
}

}  // namespace
}  // namespace nightshift::events
