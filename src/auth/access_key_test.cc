#include "auth/access_key.h"

#include <gtest/gtest.h>

namespace nightshift::auth {
namespace {

TEST(AccessKeyTest, ParsesIdSecretRoleAndSessionToken) {
  Result<AccessKey> key = ParseAccessKey("AKID:wJal/K7+x=:viewer:Fwo+/=:x");
  ASSERT_TRUE(key.ok()) << key.status().message();
  EXPECT_EQ(key->id, "AKID");
  EXPECT_EQ(key->secret, "wJal/K7+x=");
  EXPECT_EQ(key->role, Role::kViewer);
  EXPECT_EQ(key->session_token, "Fwo+/=:x");
}

TEST(AccessKeyTest, KeyWithoutRoleIsAdmin) {
  Result<AccessKey> key = ParseAccessKey("ci-bot:s3cret");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->role, Role::kAdmin);
  EXPECT_EQ(key->session_token, "");
}

TEST(AccessKeyTest, RejectsBadKeysWithoutShowingTheSecret) {
  for (const char* spec : {"", "AKID", "AKID:", ":secret", "AK ID:secret", "AKID:sec ret", "AKID:secret:root",
                           "AKID:sec,ret", "AKID:secret:admin:tok en"}) {
    Result<AccessKey> key = ParseAccessKey(spec);
    ASSERT_FALSE(key.ok()) << spec;
    EXPECT_EQ(key.status().message().find("secret:"), std::string::npos) << key.status().message();
  }
  EXPECT_EQ(ParseAccessKey("AKID:topsecret:root").status().message(),
            "access key AKID: the role must be viewer, operator or admin, not 'root'");
}

TEST(AccessKeyTest, KeyFileSkipsCommentsAndBlankLinesAndNamesTheBadLine) {
  Result<std::vector<AccessKey>> keys = ParseAccessKeyFile("# keys\n\nA:s1:viewer\r\n  B:s2  \n", "keys.txt");
  ASSERT_TRUE(keys.ok()) << keys.status().message();
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[1].secret, "s2");
  EXPECT_EQ(ParseAccessKeyFile("A:s1\nB\n", "keys.txt").status().message().substr(0, 11), "keys.txt:2:");
}

TEST(AccessKeyTest, KeyRingFindsKeysByIdAndRefusesDuplicates) {
  KeyRing ring;
  EXPECT_TRUE(ring.empty());
  ASSERT_TRUE(ring.Add({"A", "s", Role::kAdmin, ""}).ok());
  EXPECT_FALSE(ring.Add({"A", "t", Role::kViewer, ""}).ok());
  ASSERT_NE(ring.Find("A"), nullptr);
  EXPECT_EQ(ring.Find("A")->secret, "s");
  EXPECT_EQ(ring.Find("B"), nullptr);
  EXPECT_EQ(ring.size(), 1u);
}

}  // namespace
}  // namespace nightshift::auth
