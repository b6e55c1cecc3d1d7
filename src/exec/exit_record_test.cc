#include "exec/exit_record.h"

#include <gtest/gtest.h>

namespace nightshift::exec {
namespace {

using Kind = core::AttemptOutcome::Kind;

TEST(ExitRecordTest, RoundTripsEveryField) {
  ExitRecord record;
  record.outcome.kind = Kind::kSignaled;
  record.outcome.signal = 9;
  record.outcome.started_at = 1700000000000;
  record.outcome.stopped_at = 1700000000412;
  record.outcome.message = "terminated:\nSIGKILL";
  record.supervisor_max_rss_kb = 1800;
  Result<ExitRecord> parsed = ParseExitRecord(FormatExitRecord(record));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->outcome.kind, Kind::kSignaled);
  EXPECT_EQ(parsed->outcome.signal, 9);
  EXPECT_EQ(parsed->outcome.started_at, 1700000000000);
  EXPECT_EQ(parsed->outcome.stopped_at, 1700000000412);
  EXPECT_EQ(parsed->outcome.message, "terminated: SIGKILL");
  EXPECT_EQ(parsed->supervisor_max_rss_kb, 1800);
}

TEST(ExitRecordTest, ParsesSpawnFailureWithMessage) {
  Result<ExitRecord> parsed = ParseExitRecord(
      "kind spawn_failed\nstarted_at 1\nstopped_at 2\nmessage exec nope: No such file or "
      "directory\n");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->outcome.kind, Kind::kSpawnFailed);
  EXPECT_EQ(parsed->outcome.message, "exec nope: No such file or directory");
}

TEST(ExitRecordTest, IgnoresUnknownKeys) {
  Result<ExitRecord> parsed =
      ParseExitRecord("kind exited\nexit_code 3\nfuture_key x y\nstarted_at 1\nstopped_at 2\n");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->outcome.exit_code, 3);
}

TEST(ExitRecordTest, RejectsMissingOrMalformedFields) {
  EXPECT_FALSE(ParseExitRecord("").ok());
  EXPECT_FALSE(ParseExitRecord("kind exited\nstarted_at 1\n").ok());
  EXPECT_FALSE(ParseExitRecord("kind weird\nstarted_at 1\nstopped_at 2\n").ok());
  EXPECT_FALSE(ParseExitRecord("kind exited\nstarted_at x\nstopped_at 2\n").ok());
  EXPECT_FALSE(ParseExitRecord("kind exited\nstarted_at\nstopped_at 2\n").ok());
}

}  // namespace
}  // namespace nightshift::exec
