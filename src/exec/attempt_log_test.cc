#include "exec/attempt_log.h"

#include <gtest/gtest.h>

#include <fstream>

#include "exec/exec_test_util.h"

namespace nightshift::exec {
namespace {

using testing::TempDir;
using testing::WriteTestFile;

// A log with records "line <i>" at timestamps 1000 + i, i in [0, n).
std::string NumberedLog(int n, size_t pad = 0) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    AppendLogRecord(&out, 1000 + i, i % 3 == 0 ? LogStream::kStderr : LogStream::kStdout,
                    "line " + std::to_string(i) + std::string(pad, '.'));
  }
  return out;
}

std::vector<TimeMs> Times(const LogPage& page) {
  std::vector<TimeMs> times;
  for (const LogEvent& e : page.events) times.push_back(e.timestamp_ms);
  return times;
}

std::vector<TimeMs> Range(TimeMs from, TimeMs to) {
  std::vector<TimeMs> times;
  for (TimeMs t = from; t < to; ++t) times.push_back(t);
  return times;
}

class AttemptLogReaderTest : public ::testing::Test {
 protected:
  Result<LogPage> Read(const LogReadOptions& options) { return ReadLogEvents(path_, options); }
  LogPage MustRead(LogReadOptions options) {
    Result<LogPage> page = Read(std::move(options));
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? *page : LogPage{};
  }
  static LogReadOptions Head(int limit, std::string token = "") {
    LogReadOptions o;
    o.start_from_head = true;
    o.limit = limit;
    o.next_token = std::move(token);
    return o;
  }

  TempDir dir_;
  std::string path_ = dir_.path() + "/log";
};

TEST_F(AttemptLogReaderTest, MissingFileIsAnEmptyLog) {
  LogPage page = MustRead(LogReadOptions{});
  EXPECT_TRUE(page.events.empty());
  EXPECT_EQ(page.next_forward_token, "f/0");
  EXPECT_EQ(page.next_backward_token, "b/0");
}

TEST_F(AttemptLogReaderTest, EventsCarryMessageStreamAndTimes) {
  WriteTestFile(path_, NumberedLog(2));
  LogPage page = MustRead(Head(10));
  ASSERT_EQ(page.events.size(), 2u);
  EXPECT_EQ(page.events[0].message, "line 0");
  EXPECT_EQ(page.events[0].stream, LogStream::kStderr);
  EXPECT_EQ(page.events[1].timestamp_ms, 1001);
  EXPECT_EQ(page.events[1].ingestion_time_ms, 1001);
}

TEST_F(AttemptLogReaderTest, ForwardPagingVisitsEveryEventThenRepeatsTheToken) {
  WriteTestFile(path_, NumberedLog(25));
  std::vector<TimeMs> seen;
  LogPage page = MustRead(Head(10));
  while (!page.events.empty()) {
    for (TimeMs t : Times(page)) seen.push_back(t);
    std::string token = page.next_forward_token;
    page = MustRead(Head(10, token));
    if (page.events.empty()) {
      EXPECT_EQ(page.next_forward_token, token);
    }
  }
  EXPECT_EQ(seen, Range(1000, 1025));
}

TEST_F(AttemptLogReaderTest, WithoutStartFromHeadReturnsTheLastEvents) {
  WriteTestFile(path_, NumberedLog(25));
  LogReadOptions tail;
  tail.limit = 10;
  LogPage page = MustRead(tail);
  EXPECT_EQ(Times(page), Range(1015, 1025));
}

TEST_F(AttemptLogReaderTest, BackwardPagingReachesTheHeadThenRepeatsTheToken) {
  WriteTestFile(path_, NumberedLog(25));
  LogReadOptions o;
  o.limit = 10;
  LogPage page = MustRead(o);
  o.next_token = page.next_backward_token;
  EXPECT_EQ(Times(MustRead(o)), Range(1005, 1015));
  o.next_token = MustRead(o).next_backward_token;
  EXPECT_EQ(Times(MustRead(o)), Range(1000, 1005));
  o.next_token = MustRead(o).next_backward_token;
  LogPage head = MustRead(o);
  EXPECT_TRUE(head.events.empty());
  EXPECT_EQ(head.next_backward_token, o.next_token);
}

TEST_F(AttemptLogReaderTest, ForwardTokenFromATailReadReturnsOnlyNewEvents) {
  WriteTestFile(path_, NumberedLog(5));
  LogPage page = MustRead(LogReadOptions{});
  std::ofstream(path_, std::ios::app) << "2000 o new one\n";
  LogReadOptions o;
  o.next_token = page.next_forward_token;
  LogPage next = MustRead(o);
  ASSERT_EQ(next.events.size(), 1u);
  EXPECT_EQ(next.events[0].message, "new one");
}

TEST_F(AttemptLogReaderTest, IgnoresAPartialLastRecord) {
  WriteTestFile(path_, NumberedLog(3) + "1003 o half-writ");
  LogPage page = MustRead(Head(100));
  EXPECT_EQ(Times(page), Range(1000, 1003));
  EXPECT_EQ(Times(MustRead(LogReadOptions{})), Range(1000, 1003));
}

TEST_F(AttemptLogReaderTest, TimeFiltersUseHalfOpenRange) {
  WriteTestFile(path_, NumberedLog(50));
  LogReadOptions o = Head(100);
  o.start_time = 1010;
  o.end_time = 1020;
  EXPECT_EQ(Times(MustRead(o)), Range(1010, 1020));
  o.start_from_head = false;
  EXPECT_EQ(Times(MustRead(o)), Range(1010, 1020));
}

TEST_F(AttemptLogReaderTest, TimeSearchInALargeLogFindsTheBoundaries) {
  WriteTestFile(path_, NumberedLog(60000, 40));  // ~3.6 MB: many read chunks
  LogReadOptions o = Head(5);
  o.start_time = 1000 + 43210;
  EXPECT_EQ(Times(MustRead(o)), Range(44210, 44215));
  LogReadOptions tail;
  tail.limit = 5;
  tail.end_time = 1000 + 12345;
  EXPECT_EQ(Times(MustRead(tail)), Range(13340, 13345));
}

TEST_F(AttemptLogReaderTest, PagesAreCappedAtAboutOneMegabyte) {
  std::string log;
  for (int i = 0; i < 40; ++i)
    AppendLogRecord(&log, i, LogStream::kStdout, std::string(kMaxRecordText, 'x'));
  WriteTestFile(path_, log);
  EXPECT_EQ(MustRead(Head(10000)).events.size(), 15u);
  EXPECT_EQ(MustRead(LogReadOptions{}).events.size(), 15u);
}

TEST_F(AttemptLogReaderTest, BackwardPagingAcrossLongRecordsMatchesForward) {
  std::string log;
  for (int i = 0; i < 30; ++i) {
    AppendLogRecord(&log, i, LogStream::kStdout,
                    std::string((size_t{7919} * i) % kMaxRecordText, 'a' + i % 26));
  }
  WriteTestFile(path_, log);
  std::vector<TimeMs> backward;
  LogReadOptions o;
  o.limit = 4;
  for (LogPage page = MustRead(o); !page.events.empty(); page = MustRead(o)) {
    std::vector<TimeMs> times = Times(page);
    backward.insert(backward.begin(), times.begin(), times.end());
    for (const LogEvent& e : page.events)
      EXPECT_EQ(e.message.size(), (e.timestamp_ms * 7919) % kMaxRecordText);
    o.next_token = page.next_backward_token;
  }
  EXPECT_EQ(backward, Range(0, 30));
}

TEST_F(AttemptLogReaderTest, RejectsBadTokensAndLimits) {
  WriteTestFile(path_, NumberedLog(3));
  for (std::string token : {"f/3", "b/99999", "zz", "f/-1"}) {
    LogReadOptions o;
    o.next_token = token;
    Result<LogPage> page = Read(o);
    ASSERT_FALSE(page.ok()) << token;
    EXPECT_EQ(page.status().code(), StatusCode::kInvalidArgument) << token;
  }
  for (int limit : {0, 10001}) {
    LogReadOptions o;
    o.limit = limit;
    EXPECT_EQ(Read(o).status().code(), StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace nightshift::exec
