#include "auth/api_token.h"

#include <gtest/gtest.h>

#include "auth/token_ring.h"

namespace nightshift::auth {
namespace {

constexpr TimeMs kNow = 1'700'000'000'000;

TEST(ApiTokenTest, MintedTokenParsesBackAndOnlyItsHashIsKept) {
  Result<MintedToken> minted = MintToken("ci", Role::kOperator, kNow, kNow + 1000);
  ASSERT_TRUE(minted.ok());
  EXPECT_EQ(minted->text.rfind("nst_", 0), 0u);
  EXPECT_EQ(minted->text.size(), 4u + 16 + 1 + 64);
  Result<PresentedToken> parsed = ParseTokenText(minted->text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->id, minted->token.id);
  EXPECT_EQ(minted->token.secret_hash, HashTokenSecret(parsed->secret));
  EXPECT_EQ(minted->text.find(minted->token.secret_hash), std::string::npos);
  EXPECT_EQ(minted->token.name, "ci");
  EXPECT_EQ(minted->token.role, Role::kOperator);
  EXPECT_EQ(minted->token.created_at, kNow);
  EXPECT_EQ(minted->token.expires_at, kNow + 1000);
}

TEST(ApiTokenTest, TwoMintedTokensDiffer) {
  Result<MintedToken> a = MintToken("", Role::kViewer, kNow, std::nullopt);
  Result<MintedToken> b = MintToken("", Role::kViewer, kNow, std::nullopt);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->token.id, b->token.id);
  EXPECT_NE(a->text, b->text);
}

TEST(ApiTokenTest, MalformedTextIsRefusedWithoutQuotingTheSecret) {
  const std::string secret(64, 'a');
  const std::string id(16, '0');
  for (const std::string& bad : std::vector<std::string>{
           "", "abc", "nst_", "nst_" + id, "nst_" + id + "_", "nst_" + id + "_" + secret + "a",
        "nst_" + id + "_" + std::string(64, 'A'), "nst_0123_" + secret, "NST_" + id + "_" + secret,
        "nst_" + std::string(16, 'g') + "_" + secret}) {
    Result<PresentedToken> parsed = ParseTokenText(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(parsed.status().message().find(secret), std::string::npos) << parsed.status().message();
  }
  EXPECT_TRUE(ParseTokenText("nst_" + id + "_" + secret).ok());
}

TEST(ApiTokenTest, RefusalSaysUnknownWrongRevokedOrExpired) {
  Result<MintedToken> minted = MintToken("", Role::kAdmin, kNow, kNow + 60'000);
  ASSERT_TRUE(minted.ok());
  PresentedToken presented = *ParseTokenText(minted->text);
  ApiToken token = minted->token;
  EXPECT_EQ(RefuseToken(&token, presented, kNow), std::nullopt);
  EXPECT_EQ(RefuseToken(&token, presented, kNow + 59'999), std::nullopt);
  EXPECT_EQ(RefuseToken(&token, presented, kNow + 60'000), "token " + token.id + " has expired");
  EXPECT_EQ(RefuseToken(nullptr, presented, kNow), "unknown token " + token.id);
  PresentedToken wrong = presented;
  wrong.secret[0] = wrong.secret[0] == 'a' ? 'b' : 'a';
  EXPECT_EQ(RefuseToken(&token, wrong, kNow), "wrong secret for token " + token.id);
  token.revoked_at = kNow;
  EXPECT_EQ(RefuseToken(&token, presented, kNow), "token " + token.id + " has been revoked");
  // A wrong secret does not learn that the token is revoked.
  EXPECT_EQ(RefuseToken(&token, wrong, kNow), "wrong secret for token " + token.id);
}

TEST(ApiTokenTest, LifetimesTakeOneUnit) {
  EXPECT_EQ(*ParseTokenLifetime("90s"), 90'000);
  EXPECT_EQ(*ParseTokenLifetime("30m"), 1'800'000);
  EXPECT_EQ(*ParseTokenLifetime("12h"), 43'200'000);
  EXPECT_EQ(*ParseTokenLifetime("30d"), 30LL * 86'400'000);
  EXPECT_EQ(*ParseTokenLifetime("2w"), 14LL * 86'400'000);
  for (const char* bad : {"", "d", "30", "0d", "-1d", "1.5d", "30x", "d30", "1 d", "99999999999999w"}) {
    EXPECT_FALSE(ParseTokenLifetime(bad).ok()) << bad;
  }
}

TEST(TokenRingTest, FindsByIdAndKnowsAboutActiveAdmins) {
  TokenRing ring;
  EXPECT_FALSE(ring.HasActiveAdmin(kNow));
  ring.Put({.id = "a", .role = Role::kOperator});
  EXPECT_FALSE(ring.HasActiveAdmin(kNow));
  ring.Put({.id = "b", .role = Role::kAdmin, .expires_at = kNow});
  EXPECT_FALSE(ring.HasActiveAdmin(kNow));
  ring.Put({.id = "c", .role = Role::kAdmin, .revoked_at = kNow - 1});
  EXPECT_FALSE(ring.HasActiveAdmin(kNow));
  ring.Put({.id = "c", .role = Role::kAdmin});
  EXPECT_TRUE(ring.HasActiveAdmin(kNow));
  ASSERT_NE(ring.Find("a"), nullptr);
  EXPECT_EQ(ring.Find("a")->role, Role::kOperator);
  EXPECT_EQ(ring.Find("z"), nullptr);
  EXPECT_EQ(ring.all().size(), 3u);
}

TEST(RoleTest, AccessDemandsARoleOrAbove) {
  const Identity viewer{CredentialKind::kToken, "t", Role::kViewer};
  const Identity operator_{CredentialKind::kAccessKey, "k", Role::kOperator};
  const Identity admin{CredentialKind::kToken, "a", Role::kAdmin};
  EXPECT_TRUE(Allows(Access::kPublic, viewer));
  EXPECT_TRUE(Allows(Access::kViewer, viewer));
  EXPECT_FALSE(Allows(Access::kOperator, viewer));
  EXPECT_TRUE(Allows(Access::kOperator, operator_));
  EXPECT_FALSE(Allows(Access::kAdmin, operator_));
  EXPECT_TRUE(Allows(Access::kAdmin, admin));
  EXPECT_FALSE(Allows(Access::kUndeclared, operator_));  // a forgotten declaration demands admin
  EXPECT_TRUE(Allows(Access::kAdmin, Identity{}));        // anonymous: authentication is off
  EXPECT_EQ(viewer.Actor(), "token:t");
  EXPECT_EQ(operator_.Actor(), "k");
  EXPECT_EQ(Identity{}.Actor(), "anonymous");
}

}  // namespace
}  // namespace nightshift::auth
