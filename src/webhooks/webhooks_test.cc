#include <gtest/gtest.h>

#include "webhooks/http_url.h"
#include "webhooks/signature.h"

namespace nightshift::webhooks {
namespace {

// RFC 4231, test cases 1 and 2.
TEST(SignatureTest, HmacSha256MatchesRfc4231) {
  EXPECT_EQ(HmacSha256Hex(std::string(20, '\x0b'), "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

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
