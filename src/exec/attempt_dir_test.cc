#include "exec/attempt_dir.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nightshift::exec {
namespace {

TEST(AttemptDirTest, IsOneFlatDirectoryPerAttempt) {
  Result<AttemptDir> dir = AttemptDirFor("/data/jobs", {"parent:3", 2});
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  EXPECT_EQ(dir->dir, "/data/jobs/parent:3.2");
  EXPECT_EQ(dir->state_path(), "/data/jobs/parent:3.2/state");
  EXPECT_EQ(dir->log_path(), "/data/jobs/parent:3.2/log");
}

TEST(AttemptDirTest, RejectsJobIdsThatAreNotOneSafePathComponent) {
  for (const std::string& id :
       std::vector<std::string>{"", ".", "..", "a/b", "../x", std::string("a\0b", 3)}) {
    EXPECT_EQ(AttemptDirFor("/r", {id, 1}).status().code(), StatusCode::kInvalidArgument) << id;
  }
}

TEST(AttemptDirTest, RejectsNamesLongerThanAFileNameMayBe) {
  EXPECT_TRUE(AttemptDirFor("/r", {std::string(253, 'x'), 9}).ok());  // 255 bytes
  EXPECT_FALSE(AttemptDirFor("/r", {std::string(253, 'x'), 10}).ok());
  EXPECT_FALSE(AttemptDirFor("/r", {std::string(255, 'x'), 1}).ok());
}

TEST(AttemptDirTest, RejectsAttemptsBelowOne) {
  EXPECT_FALSE(AttemptDirFor("/r", {"a", 0}).ok());
  EXPECT_FALSE(AttemptDirFor("/r", {"a", -1}).ok());
}

}  // namespace
}  // namespace nightshift::exec
