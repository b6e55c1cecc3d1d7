#include "auth/authenticator.h"

#include <gtest/gtest.h>

namespace nightshift::auth {
namespace {

class AuthenticatorTest : public ::testing::Test {
 protected:
  AuthenticatorTest() {
    Result<MintedToken> minted = MintToken("ci", Role::kOperator, clock_.NowMs(), clock_.NowMs() + 60'000);
    EXPECT_TRUE(minted.ok());
    text_ = minted->text;
    id_ = minted->token.id;
    tokens_.Put(minted->token);
  }

  AuthResult Call(std::string authorization, std::optional<std::string_view> service = std::nullopt,
                  bool enabled = true) {
    headers_.clear();
    if (!authorization.empty()) headers_["authorization"] = authorization;
    const Authenticator authenticator(KeyRing(), tokens_, enabled, clock_);
    return authenticator.Authenticate({"GET", "/api/v1/runs", "", headers_, ""}, service);
  }

  static AuthError Error(const AuthResult& r) { return std::get<AuthError>(r); }

  FakeClock clock_;
  TokenRing tokens_;
  std::map<std::string, std::string> headers_;
  std::string text_, id_;
};

TEST_F(AuthenticatorTest, ABearerTokenIsItsIdentityOnNativeAndAwsRoutes) {
  for (std::optional<std::string_view> service : {std::optional<std::string_view>(), std::optional<std::string_view>("batch")}) {
    AuthResult r = Call("Bearer " + text_, service);
    ASSERT_TRUE(std::holds_alternative<Identity>(r));
    EXPECT_EQ(std::get<Identity>(r).kind, CredentialKind::kToken);
    EXPECT_EQ(std::get<Identity>(r).id, id_);
    EXPECT_EQ(std::get<Identity>(r).role, Role::kOperator);
  }
  EXPECT_TRUE(std::holds_alternative<Identity>(Call("bearer  " + text_ + " ")));
}

TEST_F(AuthenticatorTest, OffMeansAnonymousWhateverIsSent) {
  AuthResult r = Call("Bearer nonsense", std::nullopt, /*enabled=*/false);
  ASSERT_TRUE(std::holds_alternative<Identity>(r));
  EXPECT_TRUE(std::get<Identity>(r).anonymous());
}

TEST_F(AuthenticatorTest, MissingMalformedUnknownAndExpiredTokensAreRefused) {
  EXPECT_EQ(Error(Call("")).failure, AuthFailure::kMissingToken);
  EXPECT_EQ(Error(Call("Basic dXNlcjpwYXNz")).failure, AuthFailure::kIncompleteSignature);
  EXPECT_EQ(Error(Call("AWS4-HMAC-SHA256 Credential=AKIDX/20261127/us-east-1/nightshift/aws4_request, "
                       "SignedHeaders=host, Signature=" + std::string(64, '0'))).claimed_id, "AKIDX");
  EXPECT_EQ(Error(Call("Bearer ")).failure, AuthFailure::kIncompleteSignature);
  EXPECT_EQ(Error(Call("Bearer nst_123")).failure, AuthFailure::kIncompleteSignature);
  const std::string unknown = "nst_" + std::string(16, '0') + "_" + std::string(64, '0');
  const AuthError error = Error(Call("Bearer " + unknown));
  EXPECT_EQ(error.failure, AuthFailure::kUnrecognizedClient);
  EXPECT_EQ(error.claimed_id, "token:" + std::string(16, '0'));
  clock_.Advance(60'000);
  EXPECT_EQ(Error(Call("Bearer " + text_)).message, "token " + id_ + " has expired");
}

TEST_F(AuthenticatorTest, AnAwsRouteWithoutABearerNeedsASignature) {
  EXPECT_EQ(Error(Call("", "batch")).failure, AuthFailure::kMissingToken);
  const AuthError error = Error(Call("AWS4-HMAC-SHA256 Credential=AKIDX/20261127/us-east-1/batch/aws4_request, "
                                      "SignedHeaders=host, Signature=" + std::string(64, '0'), "batch"));
  EXPECT_NE(error.failure, AuthFailure::kMissingToken);
  EXPECT_EQ(error.claimed_id, "AKIDX");
}

}  // namespace
}  // namespace nightshift::auth
