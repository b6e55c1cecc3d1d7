#include "exec/log_writer.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <vector>

#include "exec/exec_test_util.h"
#include "exec/posix_util.h"

namespace nightshift::exec {
namespace {

using testing::ReadTestFile;
using testing::TempDir;

struct Rec {
  TimeMs ts;
  char stream;
  std::string text;
  bool operator==(const Rec&) const = default;
};

std::vector<Rec> ParseAll(const std::string& content) {
  std::vector<Rec> records;
  size_t pos = 0;
  for (size_t nl; (nl = content.find('\n', pos)) != std::string::npos; pos = nl + 1) {
    std::optional<LogRecord> r = ParseLogRecord(std::string_view(content).substr(pos, nl - pos));
    EXPECT_TRUE(r.has_value()) << content.substr(pos, nl - pos);
    if (r) records.push_back({r->timestamp_ms, static_cast<char>(r->stream), std::string(r->text)});
  }
  EXPECT_EQ(pos, content.size()) << "log must end with a complete record";
  return records;
}

class LogWriterTest : public ::testing::Test {
 protected:
  std::vector<Rec> Records() { return ParseAll(ReadTestFile(path_)); }

  TempDir dir_;
  std::string path_ = dir_.path() + "/log";
};

TEST_F(LogWriterTest, JoinsALineSplitAcrossReadsAndStampsItWhenItEnds) {
  LogWriter writer(path_);
  writer.Append(LogStream::kStdout, 10, "hel");
  writer.Append(LogStream::kStderr, 11, "e1\n");
  writer.Append(LogStream::kStdout, 12, "lo\nworld\n");
  writer.Flush();
  EXPECT_EQ(Records(), (std::vector<Rec>{{11, 'e', "e1"}, {12, 'o', "hello"}, {12, 'o', "world"}}));
}

TEST_F(LogWriterTest, SplitsLinesLongerThanTheRecordLimit) {
  LogWriter writer(path_);
  std::string line(2 * kMaxRecordText + 10, 'x');
  writer.Append(LogStream::kStdout, 1, line.substr(0, 100));
  writer.Append(LogStream::kStdout, 2, line.substr(100) + "\n");
  writer.Flush();
  std::vector<Rec> records = Records();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].text.size(), kMaxRecordText);
  EXPECT_EQ(records[1].text.size(), kMaxRecordText);
  EXPECT_EQ(records[2].text.size(), 10u);
}

TEST_F(LogWriterTest, ALineOfExactlyTheLimitIsOneRecord) {
  LogWriter writer(path_);
  writer.Append(LogStream::kStdout, 1, std::string(kMaxRecordText, 'y'));
  writer.Append(LogStream::kStdout, 2, "\n");
  writer.Flush();
  std::vector<Rec> records = Records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].text.size(), kMaxRecordText);
}

TEST_F(LogWriterTest, FinishStreamFlushesTheTrailingPartialLine) {
  LogWriter writer(path_);
  writer.Append(LogStream::kStdout, 1, "a\nno newline");
  writer.FinishStream(LogStream::kStdout, 3);
  writer.FinishStream(LogStream::kStderr, 3);  // nothing pending: no record
  writer.Note(4, "multi\nline note");
  writer.Flush();
  EXPECT_EQ(Records(),
            (std::vector<Rec>{{1, 'o', "a"}, {3, 'o', "no newline"}, {4, 'n', "multi line note"}}));
}

TEST_F(LogWriterTest, ManySmallLinesAreWrittenInLargeWrites) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  UniqueFd read_end(pipe_fds[0]), write_end(pipe_fds[1]);
  LogWriter writer("/proc/self/fd/" + std::to_string(write_end.get()));
  std::string lines;
  for (int i = 0; i < 1000; ++i) lines += "y\n";  // 18 KB of records: fits in the pipe
  writer.Append(LogStream::kStdout, 1700000000000, lines);
  ASSERT_EQ(::fcntl(read_end.get(), F_SETFL, O_NONBLOCK), 0);
  char buf[16];
  EXPECT_EQ(::read(read_end.get(), buf, sizeof buf), -1) << "nothing written before Flush";
  writer.Flush();
  EXPECT_EQ(::read(read_end.get(), buf, sizeof buf), static_cast<ssize_t>(sizeof buf));
  EXPECT_EQ(writer.error(), "");
}

TEST_F(LogWriterTest, CreatesNoFileWithoutOutput) {
  LogWriter writer(path_);
  writer.FinishStream(LogStream::kStdout, 1);
  writer.Flush();
  EXPECT_NE(::access(path_.c_str(), F_OK), 0);
}

TEST_F(LogWriterTest, AWriteErrorIsRecordedAndOutputDropped) {
  LogWriter writer(dir_.path() + "/missing-dir/log");
  writer.Append(LogStream::kStdout, 1, "lost\n");
  writer.Flush();
  EXPECT_NE(writer.error(), "");
  EXPECT_GT(writer.dropped_bytes(), 0);
}

}  // namespace
}  // namespace nightshift::exec
