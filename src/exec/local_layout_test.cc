#include "exec/local_layout.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nightshift::exec {
namespace {

TEST(LocalLayoutTest, AnAttemptIsNamedByJobIdAndAttempt) {
  Result<std::string> name = AttemptName({"parent:3", 2});
  ASSERT_TRUE(name.ok()) << name.status().ToString();
  EXPECT_EQ(*name, "parent:3.2");
  EXPECT_EQ(LogPathOf("/data/jobs", *name), "/data/jobs/parent:3.2.log");
  EXPECT_EQ(RunAsWorkDirOf("/data/jobs", *name), "/data/jobs/parent:3.2/work");
  EXPECT_EQ(LegacyStatePath("/data/jobs", *name), "/data/jobs/parent:3.2/state");
  EXPECT_EQ(LegacyLogPath("/data/jobs", *name), "/data/jobs/parent:3.2/log");
}

TEST(LocalLayoutTest, RejectsJobIdsThatAreNotOneSafePathComponent) {
  for (const std::string& id : std::vector<std::string>{"", ".", "..", "a/b", "../x", "a b", "a\nb",
                                                        std::string("a\0b", 3)}) {
    EXPECT_EQ(AttemptName({id, 1}).status().code(), StatusCode::kInvalidArgument) << id;
  }
}

TEST(LocalLayoutTest, RejectsNamesWhoseLogNameIsLongerThanAFileNameMayBe) {
  EXPECT_TRUE(AttemptName({std::string(249, 'x'), 9}).ok());  // 251 + ".log": 255 bytes
  EXPECT_FALSE(AttemptName({std::string(249, 'x'), 10}).ok());
  EXPECT_FALSE(AttemptName({std::string(255, 'x'), 1}).ok());
}

TEST(LocalLayoutTest, RejectsAttemptsBelowOne) {
  EXPECT_FALSE(AttemptName({"a", 0}).ok());
  EXPECT_FALSE(AttemptName({"a", -1}).ok());
}

TEST(LocalLayoutTest, JournalSegmentNamesRoundTrip) {
  std::string path = JournalSegmentPath("/r", "4100-1700000000000", 12);
  EXPECT_EQ(path, "/r/journal/4100-1700000000000.12.journal");
  EXPECT_EQ(ParseJournalSegmentName("4100-1700000000000.12.journal"),
            (JournalSegmentName{"4100-1700000000000", 12}));
  for (std::string_view bad : {"x.journal", ".1.journal", "a.0.journal", "a.-1.journal", "a.1.journal.tmp",
                               "a.b.journal", "a.1"}) {
    EXPECT_FALSE(ParseJournalSegmentName(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace nightshift::exec
