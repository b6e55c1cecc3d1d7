// Real-file tests of the supervisor's journal writer (exec/journal_writer.h) and the server's
// reader (exec/journal_reader.h): locks, rotation, deletion.
#include "exec/journal_writer.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>

#include "exec/exec_test_util.h"
#include "exec/journal.h"
#include "exec/journal_reader.h"
#include "exec/local_layout.h"

namespace nightshift::exec {
namespace {

using testing::ExitedRecord;
using testing::LostRecord;

using testing::TempDir;

std::vector<std::string> Files(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(JournalWriterTest, ASegmentIsLockedWhileItsWriterLives) {
  TempDir dir;
  Result<std::unique_ptr<JournalWriter>> writer = JournalWriter::Create(dir.path() + "/jobs", "7-1", 100);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  ASSERT_TRUE((*writer)->Append(FormatLaunchRecord("a.1")).ok());
  EXPECT_EQ(Files(dir.path() + "/jobs/journal"), std::vector<std::string>{"7-1.1.journal"});
  Result<std::unique_ptr<JournalReader>> reader = JournalReader::Open(dir.path() + "/jobs", "7-1");
  ASSERT_TRUE(reader.ok());
  EXPECT_FALSE((*reader)->dead());
  writer->reset();  // the supervisor exits
  EXPECT_TRUE((*reader)->TryTakeLocks());
  ASSERT_TRUE((*reader)->Refresh().ok());
  EXPECT_NE((*reader)->parsed().Find("a.1"), nullptr);
}

// A supervisor that records an outcome (and starts a new segment) after the server's last read and
// then exits: the reader that finds it gone has read it all, without a Refresh of its own.
TEST(JournalWriterTest, FindingTheSupervisorGoneReadsWhatItWroteLast) {
  TempDir dir;
  const std::string root = dir.path() + "/jobs";
  std::unique_ptr<JournalWriter> writer = JournalWriter::Create(root, "7-1", 2).value();
  ASSERT_TRUE(writer->Append(FormatLaunchRecord("a.1")).ok());
  ASSERT_TRUE(writer->Append(FormatLaunchRecord("b.1")).ok());
  std::unique_ptr<JournalReader> reader = JournalReader::Open(root, "7-1").value();
  ASSERT_FALSE(reader->dead());
  ASSERT_TRUE(writer->AppendExit(FormatExitJournalRecord("a.1", ExitedRecord(0)), 1).ok());
  ASSERT_TRUE(writer->Rotate(FormatLaunchRecord("b.1")).ok());
  ASSERT_TRUE(writer->AppendExit(FormatExitJournalRecord("b.1", ExitedRecord(4)), 2).ok());
  writer.reset();  // the supervisor exits

  ASSERT_TRUE(reader->TryTakeLocks());
  ASSERT_TRUE(reader->parsed().Find("a.1")->exit.has_value());
  EXPECT_EQ(reader->parsed().Find("a.1")->exit->value().outcome.exit_code, 0);
  ASSERT_TRUE(reader->parsed().Find("b.1")->exit.has_value());
  EXPECT_EQ(reader->parsed().Find("b.1")->exit->value().outcome.exit_code, 4);
  // The new segment is this reader's too: a second server cannot take it.
  std::unique_ptr<JournalReader> second = JournalReader::Open(root, "7-1").value();
  EXPECT_FALSE(second->dead());
}

TEST(JournalWriterTest, RotationCarriesRunningAttemptsAndCommittedSegmentsAreDeleted) {
  TempDir dir;
  const std::string root = dir.path() + "/jobs";
  std::unique_ptr<JournalWriter> writer = JournalWriter::Create(root, "7-1", 3).value();
  ASSERT_TRUE(writer->Append(FormatLaunchRecord("a.1")).ok());
  ASSERT_TRUE(writer->Append(FormatLaunchRecord("b.1")).ok());
  ASSERT_TRUE(writer->AppendExit(FormatExitJournalRecord("a.1", ExitedRecord(1)), 1).ok());
  ASSERT_TRUE(writer->WantsRotation());
  ASSERT_TRUE(writer->Rotate(FormatLaunchRecord("b.1")).ok());
  EXPECT_FALSE(writer->WantsRotation());
  ASSERT_TRUE(writer->AppendExit(FormatExitJournalRecord("b.1", ExitedRecord(2)), 2).ok());
  EXPECT_EQ(Files(root + "/journal"), (std::vector<std::string>{"7-1.1.journal", "7-1.2.journal"}));

  // A server reading both segments sees both outcomes.
  std::unique_ptr<JournalReader> reader = JournalReader::Open(root, "7-1").value();
  EXPECT_EQ(reader->parsed().Find("a.1")->exit->value().outcome.exit_code, 1);
  EXPECT_EQ(reader->parsed().Find("b.1")->exit->value().outcome.exit_code, 2);

  writer->Release(0);  // nothing committed: nothing deleted
  EXPECT_EQ(writer->segment_count(), 2u);
  writer->Release(1);  // a.1's outcome committed: the first segment goes, the current one stays
  EXPECT_EQ(Files(root + "/journal"), std::vector<std::string>{"7-1.2.journal"});
  writer->Release(2);
  EXPECT_EQ(writer->segment_count(), 1u);

  ASSERT_TRUE(writer->Append(FormatDetachedRecord()).ok());
  ASSERT_TRUE(reader->Refresh().ok());
  EXPECT_TRUE(reader->parsed().detached());
}

TEST(JournalWriterTest, AServerAppendsToADeadJournalOnALineOfItsOwnAndDeletesIt) {
  TempDir dir;
  const std::string root = dir.path() + "/jobs";
  {
    std::unique_ptr<JournalWriter> writer = JournalWriter::Create(root, "7-1", 100).value();
    ASSERT_TRUE(writer->Append(FormatLaunchRecord("a.1") + "exit a.1\nkind exi").ok());
  }
  std::unique_ptr<JournalReader> reader = JournalReader::Open(root, "7-1").value();
  ASSERT_TRUE(reader->dead());
  EXPECT_TRUE(reader->parsed().ends_mid_line());
  ExitRecord lost = LostRecord("");
  ASSERT_TRUE(reader->Append(FormatExitJournalRecord("a.1", lost)).ok());
  EXPECT_EQ(reader->parsed().Find("a.1")->exit->value().outcome.kind, core::AttemptOutcome::Kind::kLost);
  std::unique_ptr<JournalReader> again = JournalReader::Open(root, "7-1").value();
  EXPECT_EQ(again->parsed().Find("a.1")->exit->value().outcome.kind, core::AttemptOutcome::Kind::kLost);
  again.reset();
  reader->Delete();
  EXPECT_TRUE(Files(root + "/journal").empty());
  EXPECT_EQ(ListJournalSupervisors(root).value(), std::vector<std::string>{});
}

}  // namespace
}  // namespace nightshift::exec
