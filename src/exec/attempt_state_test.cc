#include "exec/attempt_state.h"

#include <gtest/gtest.h>

#include "exec/exec_test_util.h"

namespace nightshift::exec {
namespace {

using testing::ExitedRecord;
using testing::LostRecord;

using Kind = core::AttemptOutcome::Kind;

TEST(AttemptStateTest, FormatsOneLinePerFact) {
  EXPECT_EQ(FormatSupervisorLine(4100), "supervisor 4100\n");
  EXPECT_EQ(FormatJobLine(4101), "job 4101\n");
  EXPECT_EQ(FormatFinalRecord(ExitedRecord(3)), FormatExitRecord(ExitedRecord(3)) + "end\n");
}

TEST(AttemptStateTest, EmptyFileIsAnAttemptNotYetStarted) {
  AttemptState state = ParseAttemptState("");
  EXPECT_FALSE(state.supervisor_pid.has_value());
  EXPECT_FALSE(state.job_pid.has_value());
  EXPECT_FALSE(state.exit.has_value());
  EXPECT_FALSE(state.ends_mid_line);
}

TEST(AttemptStateTest, RunningAttemptHasPidsButNoExit) {
  AttemptState state = ParseAttemptState("supervisor 10\nsupervisor 10\njob 11\n");
  EXPECT_EQ(state.supervisor_pid, 10);
  EXPECT_EQ(state.job_pid, 11);
  EXPECT_FALSE(state.exit.has_value());
}

TEST(AttemptStateTest, FinishedAttemptRoundTripsItsRecord) {
  AttemptState state = ParseAttemptState(FormatSupervisorLine(10) + FormatJobLine(11) +
                                         FormatFinalRecord(ExitedRecord(3)) + FormatSupervisorLine(10));
  EXPECT_EQ(state.supervisor_pid, 10);  // the server's copy of the line may land after `end`
  EXPECT_EQ(state.job_pid, 11);
  ASSERT_TRUE(state.exit.has_value());
  ASSERT_TRUE(state.exit->ok()) << state.exit->status().ToString();
  EXPECT_EQ(state.exit->value().outcome.kind, Kind::kExited);
  EXPECT_EQ(state.exit->value().outcome.exit_code, 3);
  EXPECT_EQ(state.exit->value().supervisor_max_rss_kb, 1800);
}

TEST(AttemptStateTest, SpawnFailureHasARecordButNoJob) {
  AttemptState state = ParseAttemptState(
      "supervisor 10\nkind spawn_failed\nstarted_at 1\nstopped_at 2\nmessage exec x: No such file or "
      "directory\nend\n");
  EXPECT_FALSE(state.job_pid.has_value());
  ASSERT_TRUE(state.exit.has_value() && state.exit->ok());
  EXPECT_EQ(state.exit->value().outcome.kind, Kind::kSpawnFailed);
}

TEST(AttemptStateTest, RecordWithoutEndIsNotWrittenYet) {
  std::string record = FormatExitRecord(ExitedRecord(0));
  EXPECT_FALSE(ParseAttemptState("supervisor 10\njob 11\n" + record).exit.has_value());
}

TEST(AttemptStateTest, TornLastLineIsIgnored) {
  AttemptState state = ParseAttemptState("supervisor 10\njob 1");
  EXPECT_EQ(state.supervisor_pid, 10);
  EXPECT_FALSE(state.job_pid.has_value());
  EXPECT_TRUE(state.ends_mid_line);
  std::string record = FormatFinalRecord(ExitedRecord(0));
  EXPECT_FALSE(ParseAttemptState(record.substr(0, record.size() - 1)).exit.has_value());
}

TEST(AttemptStateTest, LostRecordAppendedAfterATornOneIsTheOutcome) {
  std::string record = FormatExitRecord(ExitedRecord(0));
  std::string torn = "supervisor 10\njob 11\n" + record.substr(0, record.size() / 2);
  AttemptState state = ParseAttemptState(torn + "\n" + FormatFinalRecord(LostRecord("gone")));
  ASSERT_TRUE(state.exit.has_value());
  ASSERT_TRUE(state.exit->ok()) << state.exit->status().ToString();
  EXPECT_EQ(state.exit->value().outcome.kind, Kind::kLost);
  EXPECT_EQ(state.exit->value().outcome.message, "gone");
}

TEST(AttemptStateTest, FirstCompleteRecordIsFinal) {
  AttemptState state = ParseAttemptState("job 11\n" + FormatFinalRecord(LostRecord("gone")) +
                                         FormatFinalRecord(ExitedRecord(0)) + "job 12\n");
  ASSERT_TRUE(state.exit.has_value() && state.exit->ok());
  EXPECT_EQ(state.exit->value().outcome.kind, Kind::kLost);
  EXPECT_EQ(state.job_pid, 11);
}

TEST(AttemptStateTest, MalformedRecordIsReportedAsAnError) {
  AttemptState state = ParseAttemptState("job 11\nkind weird\nstarted_at 1\nstopped_at 2\nend\n");
  ASSERT_TRUE(state.exit.has_value());
  EXPECT_FALSE(state.exit->ok());
}

TEST(AttemptStateTest, IgnoresUnknownLinesBadPidsAndAStrayEnd) {
  AttemptState state = ParseAttemptState("end\nfuture thing\nsupervisor abc\njob -3\njob 0\nsupervisor\n");
  EXPECT_FALSE(state.supervisor_pid.has_value());
  EXPECT_FALSE(state.job_pid.has_value());
  EXPECT_FALSE(state.exit.has_value());
}

}  // namespace
}  // namespace nightshift::exec
