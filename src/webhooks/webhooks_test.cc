#include <gtest/gtest.h>

#include "webhooks/http_url.h"
#include "webhooks/signature.h"

namespace nightshift::webhooks {
namespace {

TEST(SignatureTest, HeaderValueIsPrefixedHex) {
  EXPECT_EQ(Signature("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HttpUrlTest, SplitsHostPortAndTarget) {
  Result<HttpUrl> u = ParseHttpUrl("http://127.0.0.1:8081/hooks/a?x=1");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, "8081");
  EXPECT_EQ(u->target, "/hooks/a?x=1");
  Result<HttpUrl> bare = ParseHttpUrl("http://example.org");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->port, "80");
  EXPECT_EQ(bare->target, "/");
}

TEST(HttpUrlTest, RefusesWhatItCannotPostTo) {
  EXPECT_FALSE(ParseHttpUrl("https://example.org/").ok());
  EXPECT_FALSE(ParseHttpUrl("http:///x").ok());
  EXPECT_FALSE(ParseHttpUrl("http://h:0/").ok());
  EXPECT_FALSE(ParseHttpUrl("http://h:99999/").ok());
  EXPECT_FALSE(ParseHttpUrl("http://u:p@h/").ok());
}

}  // namespace
}  // namespace nightshift::webhooks
