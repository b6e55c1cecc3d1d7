// Unit tests of the journal format and its incremental parser (exec/journal.h).
#include "exec/journal.h"

#include <gtest/gtest.h>

#include <string>

#include "exec/exec_test_util.h"

namespace nightshift::exec {
namespace {

using testing::ExitedRecord;
using testing::LostRecord;

using Kind = core::AttemptOutcome::Kind;

JournalParser Parse(const std::string& text) {
  JournalParser parser;
  parser.Feed(text);
  return parser;
}

int ExitCodeOf(const JournalParser& parser, const std::string& name) {
  const JournalEntry* entry = parser.Find(name);
  if (entry == nullptr || !entry->exit || !entry->exit->ok()) return -1;
  return entry->exit->value().outcome.exit_code;
}

TEST(JournalTest, FormatsOneRecordPerFact) {
  EXPECT_EQ(FormatLaunchRecord("j.1"), "launch j.1\n");
  EXPECT_EQ(FormatJobRecord("j.1", 4101), "job j.1 4101\n");
  EXPECT_EQ(FormatExitJournalRecord("j.1", ExitedRecord(3)), "exit j.1\n" + FormatExitRecord(ExitedRecord(3)) + "end\n");
  EXPECT_EQ(FormatDetachedRecord(), "detached\n");
}

TEST(JournalTest, FollowsSeveralAttemptsInterleaved) {
  JournalParser parser = Parse(FormatLaunchRecord("a.1") + FormatLaunchRecord("b.1") +
                               FormatJobRecord("b.1", 20) + FormatJobRecord("a.1", 10) +
                               FormatExitJournalRecord("b.1", ExitedRecord(2)) + FormatLaunchRecord("c.2"));
  ASSERT_EQ(parser.attempts().size(), 3u);
  EXPECT_EQ(parser.Find("a.1")->job_pid, 10);
  EXPECT_FALSE(parser.Find("a.1")->exit.has_value());
  EXPECT_EQ(parser.Find("b.1")->job_pid, 20);
  EXPECT_EQ(ExitCodeOf(parser, "b.1"), 2);
  EXPECT_FALSE(parser.Find("c.2")->job_pid.has_value());
  EXPECT_EQ(parser.Find("d.1"), nullptr);
  EXPECT_FALSE(parser.detached());
  EXPECT_FALSE(parser.ends_mid_line());
}

TEST(JournalTest, TheFirstCompleteOutcomeCounts) {
  ExitRecord lost = LostRecord("");
  JournalParser parser = Parse(FormatLaunchRecord("a.1") + FormatExitJournalRecord("a.1", ExitedRecord(4)) +
                               FormatExitJournalRecord("a.1", lost));
  EXPECT_EQ(ExitCodeOf(parser, "a.1"), 4);
}

TEST(JournalTest, ATornTailIsNotWrittenYet) {
  const std::string whole = FormatLaunchRecord("a.1") + FormatJobRecord("a.1", 10) +
                            FormatExitJournalRecord("a.1", ExitedRecord(0));
  for (size_t cut = 0; cut < whole.size(); ++cut) {
    JournalParser parser = Parse(whole.substr(0, cut));
    const JournalEntry* entry = parser.Find("a.1");
    if (entry != nullptr) {
      EXPECT_FALSE(entry->exit.has_value()) << "cut at " << cut;
    }
    EXPECT_EQ(parser.ends_mid_line(), cut > 0 && whole[cut - 1] != '\n') << "cut at " << cut;
  }
}

TEST(JournalTest, FedInAnyPiecesGivesTheSameAnswer) {
  const std::string whole = FormatLaunchRecord("a.1") + FormatJobRecord("a.1", 10) +
                            FormatExitJournalRecord("a.1", ExitedRecord(6)) + FormatDetachedRecord();
  for (size_t piece = 1; piece < 9; ++piece) {
    JournalParser parser;
    for (size_t at = 0; at < whole.size(); at += piece) parser.Feed(whole.substr(at, piece));
    EXPECT_EQ(ExitCodeOf(parser, "a.1"), 6) << piece;
    EXPECT_EQ(parser.Find("a.1")->job_pid, 10) << piece;
    EXPECT_TRUE(parser.detached()) << piece;
  }
}

TEST(JournalTest, ARecordAppendedAfterATornOneStandsOnItsOwn) {
  ExitRecord lost = LostRecord("supervisor died");
  // A supervisor died in the middle of its exit record; a server appended a lost record on a new
  // line of its own.
  JournalParser parser = Parse(FormatLaunchRecord("a.1") + "exit a.1\nkind exited\nexit_co\n" +
                               FormatExitJournalRecord("a.1", lost));
  const JournalEntry* entry = parser.Find("a.1");
  ASSERT_TRUE(entry != nullptr && entry->exit && entry->exit->ok());
  EXPECT_EQ(entry->exit->value().outcome.kind, Kind::kLost);
  EXPECT_EQ(entry->exit->value().outcome.message, "supervisor died");
}

TEST(JournalTest, AnUnparsableOutcomeIsAnError) {
  JournalParser parser = Parse("launch a.1\nexit a.1\nkind exploded\nend\n");
  ASSERT_TRUE(parser.Find("a.1")->exit.has_value());
  EXPECT_FALSE(parser.Find("a.1")->exit->ok());
}

TEST(JournalTest, UnknownLinesAndBadPidsAreIgnored) {
  JournalParser parser = Parse("hello from the future\nlaunch a.1\njob a.1 nope\njob a.1 -3\n"
                               "job\nlaunch\nexit\nsomething else entirely\n" +
                               FormatExitJournalRecord("a.1", ExitedRecord(1)));
  EXPECT_EQ(parser.attempts().size(), 1u);
  EXPECT_FALSE(parser.Find("a.1")->job_pid.has_value());
  EXPECT_EQ(ExitCodeOf(parser, "a.1"), 1);
}

TEST(JournalTest, UnknownKeysInsideAnExitRecordAreKept) {
  std::string record = FormatExitJournalRecord("a.1", ExitedRecord(5));
  record.insert(record.find("end\n"), "newer_key 12\n");
  EXPECT_EQ(ExitCodeOf(Parse(record), "a.1"), 5);
}

// Rotation: a new segment repeats the records of the attempts still running; a segment's torn
// tail does not join the next segment's first line.
TEST(JournalTest, SegmentsReadInOrderMergeAndDropTornTails) {
  JournalParser parser;
  parser.Feed(FormatLaunchRecord("a.1") + FormatLaunchRecord("b.1") + FormatJobRecord("b.1", 20) +
              FormatExitJournalRecord("a.1", ExitedRecord(3)) + "exit b.1\nkind exi");
  parser.EndSegment();
  EXPECT_FALSE(parser.ends_mid_line());
  parser.Feed(FormatLaunchRecord("b.1") + FormatJobRecord("b.1", 20) + "ted\n" +
              FormatExitJournalRecord("b.1", ExitedRecord(8)));
  EXPECT_EQ(ExitCodeOf(parser, "a.1"), 3);
  EXPECT_EQ(ExitCodeOf(parser, "b.1"), 8);
}

TEST(JournalTest, ALaterSegmentAloneKnowsTheRunningAttempts) {
  // The first segment was deleted: the carried records are enough.
  JournalParser parser = Parse(FormatLaunchRecord("b.1") + FormatJobRecord("b.1", 20) +
                               FormatExitJournalRecord("c.1", ExitedRecord(0)));
  EXPECT_EQ(parser.Find("b.1")->job_pid, 20);
  EXPECT_EQ(ExitCodeOf(parser, "c.1"), 0);  // launched in the deleted segment: still known
}

}  // namespace
}  // namespace nightshift::exec
