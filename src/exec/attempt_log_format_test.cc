#include <gtest/gtest.h>

#include "exec/attempt_log.h"

namespace nightshift::exec {
namespace {

TEST(AttemptLogFormatTest, RecordRoundTrips) {
  std::string out;
  AppendLogRecord(&out, 1700000000123, LogStream::kStderr, "hello  world ");
  EXPECT_EQ(out, "1700000000123 e hello  world \n");
  std::optional<LogRecord> record = ParseLogRecord(std::string_view(out).substr(0, out.size() - 1));
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->timestamp_ms, 1700000000123);
  EXPECT_EQ(record->stream, LogStream::kStderr);
  EXPECT_EQ(record->text, "hello  world ");
}

TEST(AttemptLogFormatTest, EmptyTextIsARecord) {
  std::optional<LogRecord> record = ParseLogRecord("5 o ");
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->text, "");
}

TEST(AttemptLogFormatTest, RejectsMalformedLines) {
  EXPECT_FALSE(ParseLogRecord(""));
  EXPECT_FALSE(ParseLogRecord("abc o x"));
  EXPECT_FALSE(ParseLogRecord("12 x text"));
  EXPECT_FALSE(ParseLogRecord("12 o"));
  EXPECT_FALSE(ParseLogRecord("12o text"));
  EXPECT_FALSE(ParseLogRecord(" 12 o text"));
}

TEST(AttemptLogFormatTest, TextKeepsArbitraryBytes) {
  std::string line = std::string("7 n ") + std::string("\0\r\xff", 3);
  std::optional<LogRecord> record = ParseLogRecord(line);
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->text, std::string("\0\r\xff", 3));
}

TEST(AttemptLogFormatTest, TokensRoundTrip) {
  LogToken forward{LogToken::Direction::kForward, 1234};
  LogToken backward{LogToken::Direction::kBackward, 0};
  EXPECT_EQ(FormatLogToken(forward), "f/1234");
  EXPECT_EQ(FormatLogToken(backward), "b/0");
  EXPECT_EQ(*ParseLogToken("f/1234"), forward);
  EXPECT_EQ(*ParseLogToken("b/0"), backward);
}

TEST(AttemptLogFormatTest, RejectsInvalidTokens) {
  for (std::string_view bad : {"", "f", "f/", "x/1", "f/-1", "f/1x", "F/1", "f/1\n", "b//1"}) {
    Result<LogToken> token = ParseLogToken(bad);
    ASSERT_FALSE(token.ok()) << bad;
    EXPECT_EQ(token.status().code(), StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace nightshift::exec
