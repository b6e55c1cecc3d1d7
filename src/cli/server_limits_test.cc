#include "cli/server_limits.h"

#include <gtest/gtest.h>

namespace nightshift::cli {
namespace {

TEST(ServerLimitsTest, TheConnectionCapStaysWhenTheFdLimitFitsIt) {
  EXPECT_EQ(ConnectionsWithinFdLimit(1024, 1024 + kFdsBesideConnections), 1024u);
  EXPECT_EQ(ConnectionsWithinFdLimit(1024, UINT64_MAX), 1024u);
}

TEST(ServerLimitsTest, TheConnectionCapShrinksToLeaveTheServerItsOwnFds) {
  EXPECT_EQ(ConnectionsWithinFdLimit(1024, 1024), 1024u - kFdsBesideConnections);
  EXPECT_EQ(ConnectionsWithinFdLimit(1024, 10), 1u);  // never zero: the server must answer someone
}

}  // namespace
}  // namespace nightshift::cli
