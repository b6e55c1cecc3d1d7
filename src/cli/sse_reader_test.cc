#include "cli/sse_reader.h"

#include <gtest/gtest.h>

namespace nightshift::cli {
namespace {

TEST(SseReaderTest, EventsSplitAcrossPiecesComeOutWhole) {
  SseReader reader;
  EXPECT_TRUE(reader.Feed("event: log\nda").empty());
  std::vector<SseEvent> events = reader.Feed("ta: {\"a\":1}\n\nevent: end\ndata: {}\n\n");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].event, "log");
  EXPECT_EQ(events[0].data, "{\"a\":1}");
  EXPECT_EQ(events[1].event, "end");
}

TEST(SseReaderTest, CommentsAreSkippedAndDataLinesJoined) {
  SseReader reader;
  std::vector<SseEvent> events = reader.Feed(": keep-alive\n\ndata: one\ndata: two\n\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event, "message");
  EXPECT_EQ(events[0].data, "one\ntwo");
}

}  // namespace
}  // namespace nightshift::cli
