#include "auth/sigv4_verifier.h"

#include <gtest/gtest.h>

#include "auth/sigv4_test_vectors.h"
#include "util/digest.h"

namespace nightshift::auth {
namespace {

using testing::CapturedRequest;
using testing::CapturedRequests;
using testing::kExampleKeyId;
using testing::kExampleSecret;
using testing::kExampleSessionToken;

KeyRing Keys(std::string session_token = "") {
  KeyRing keys;
  EXPECT_TRUE(keys.Add({kExampleKeyId, kExampleSecret, Role::kOperator, std::move(session_token)}).ok());
  EXPECT_TRUE(keys.Add({"OTHERKEY", "other-secret", Role::kViewer, ""}).ok());
  return keys;
}

CapturedRequest Captured(const std::string& name) { return CapturedRequests().at(name); }

AuthResult Verify(const CapturedRequest& r, const KeyRing& keys, int64_t now) {
  return VerifySigV4({r.method, r.path, r.query, r.headers, r.body}, r.service, keys, now);
}
AuthResult Verify(const CapturedRequest& r, const KeyRing& keys) { return Verify(r, keys, r.signed_at); }
AuthResult Verify(const CapturedRequest& r) { return Verify(r, Keys()); }

// The failure kind, or nullopt when the request was accepted.
std::optional<AuthFailure> Failure(const AuthResult& result) {
  if (const auto* error = std::get_if<AuthError>(&result)) return error->failure;
  return std::nullopt;
}
std::string Message(const AuthResult& result) {
  const auto* error = std::get_if<AuthError>(&result);
  return error ? error->message : "accepted";
}

// Re-signs `r` (after a test changed it) with `secret`, as a client would.
void Resign(CapturedRequest& r, const std::string& signed_headers, const std::string& scope,
            const std::string& amz_date, const std::string& secret = kExampleSecret) {
  r.headers["authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/" + scope + "/aws4_request, SignedHeaders=" +
                               signed_headers + ", Signature=" + std::string(64, '0');
  Result<SigV4Authorization> auth = ParseAuthorization(r.headers["authorization"]);
  ASSERT_TRUE(auth.ok());
  const std::string canonical =
      CanonicalRequest({r.method, r.path, r.query, r.headers, r.body}, auth->signed_headers, Sha256Hex(r.body));
  r.headers["authorization"].replace(r.headers["authorization"].size() - 64, 64,
                                     Signature(secret, amz_date, auth->scope, canonical));
}

TEST(SigV4VerifierTest, AcceptsEveryCapturedRequestAsTheKeysIdentity) {
  for (const auto& [name, r] : CapturedRequests()) {
    const std::string token = r.headers.count("x-amz-security-token") ? kExampleSessionToken : "";
    AuthResult result = Verify(r, Keys(token));
    ASSERT_FALSE(Failure(result)) << name << ": " << Message(result);
    EXPECT_EQ(std::get<Identity>(result).id, kExampleKeyId);
    EXPECT_EQ(std::get<Identity>(result).role, Role::kOperator);
  }
}

TEST(SigV4VerifierTest, WrongSecretIsInvalidSignature) {
  KeyRing keys;
  ASSERT_TRUE(keys.Add({kExampleKeyId, "not-the-secret", Role::kAdmin, ""}).ok());
  AuthResult result = Verify(Captured("submitjob.v1"), keys);
  EXPECT_EQ(Failure(result), AuthFailure::kInvalidSignature);
  EXPECT_NE(Message(result).find("The request signature we calculated does not match"), std::string::npos);
}

TEST(SigV4VerifierTest, UnknownKeyIsUnrecognizedClient) {
  KeyRing keys;
  ASSERT_TRUE(keys.Add({"SOMEONEELSE", kExampleSecret, Role::kAdmin, ""}).ok());
  AuthResult result = Verify(Captured("submitjob.v1"), keys);
  EXPECT_EQ(Failure(result), AuthFailure::kUnrecognizedClient);
  EXPECT_EQ(Message(result), "The security token included in the request is invalid.");
}

TEST(SigV4VerifierTest, MissingAuthorizationIsMissingToken) {
  CapturedRequest r = Captured("submitjob.v1");
  r.headers.erase("authorization");
  EXPECT_EQ(Failure(Verify(r)), AuthFailure::kMissingToken);
  r.headers["authorization"] = "";
  EXPECT_EQ(Failure(Verify(r)), AuthFailure::kMissingToken);
}

TEST(SigV4VerifierTest, MalformedAuthorizationIsIncompleteSignature) {
  CapturedRequest r = Captured("submitjob.v1");
  for (const char* header : {"Basic dXNlcjpwYXNz", "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE"}) {
    r.headers["authorization"] = header;
    EXPECT_EQ(Failure(Verify(r)), AuthFailure::kIncompleteSignature) << header;
  }
}

TEST(SigV4VerifierTest, MissingOrBadDateIsIncompleteSignature) {
  CapturedRequest r = Captured("submitjob.v1");
  r.headers.erase("x-amz-date");
  AuthResult result = Verify(r);
  EXPECT_EQ(Failure(result), AuthFailure::kIncompleteSignature);
  EXPECT_NE(Message(result).find("'X-Amz-Date' or a 'Date' header"), std::string::npos);
  r.headers["x-amz-date"] = "2026-11-27T00:34:43Z";
  EXPECT_EQ(Failure(Verify(r)), AuthFailure::kIncompleteSignature);
}

TEST(SigV4VerifierTest, SkewUpToFifteenMinutesEitherWayIsAccepted) {
  const CapturedRequest r = Captured("listtags.v1");
  EXPECT_FALSE(Failure(Verify(r, Keys(), r.signed_at + kMaxClockSkewSeconds)));
  EXPECT_FALSE(Failure(Verify(r, Keys(), r.signed_at - kMaxClockSkewSeconds)));
}

TEST(SigV4VerifierTest, RequestOlderThanFifteenMinutesIsSignatureExpired) {
  const CapturedRequest r = Captured("listtags.v1");
  AuthResult result = Verify(r, Keys(), r.signed_at + kMaxClockSkewSeconds + 1);
  EXPECT_EQ(Failure(result), AuthFailure::kInvalidSignature);
  EXPECT_EQ(Message(result),
            "Signature expired: 20261127T003449Z is now earlier than 20261127T003450Z (20261127T004950Z - 15 min.)");
}

TEST(SigV4VerifierTest, RequestFromTheFutureIsNotYetCurrent) {
  const CapturedRequest r = Captured("listtags.v1");
  AuthResult result = Verify(r, Keys(), r.signed_at - kMaxClockSkewSeconds - 1);
  EXPECT_EQ(Failure(result), AuthFailure::kInvalidSignature);
  EXPECT_NE(Message(result).find("Signature not yet current: 20261127T003449Z"), std::string::npos);
}

TEST(SigV4VerifierTest, ScopeForAnotherServiceIsRejected) {
  CapturedRequest r = Captured("submitjob.v1");
  r.service = "scheduler";  // a Batch-signed request sent to a Scheduler route
  AuthResult result = Verify(r);
  EXPECT_EQ(Failure(result), AuthFailure::kInvalidSignature);
  EXPECT_EQ(Message(result), "Credential should be scoped to correct service: 'scheduler'.");
}

TEST(SigV4VerifierTest, ScopeDateDifferentFromRequestDateIsRejected) {
  CapturedRequest r = Captured("listtags.v1");
  Resign(r, "host;x-amz-date", "20261126/us-east-1/batch", "20261127T003449Z");
  AuthResult result = Verify(r);
  EXPECT_EQ(Failure(result), AuthFailure::kInvalidSignature);
  EXPECT_NE(Message(result).find("'20261126' != '20261127'"), std::string::npos);
}

TEST(SigV4VerifierTest, AnyRegionInTheScopeIsAccepted) {
  CapturedRequest r = Captured("listtags.v1");
  Resign(r, "host;x-amz-date", "20261127/ap-southeast-2/batch", "20261127T003449Z");
  EXPECT_FALSE(Failure(Verify(r))) << Message(Verify(r));
}

TEST(SigV4VerifierTest, EveryChangeToASignedPartIsInvalidSignature) {
  const CapturedRequest original = Captured("untag.v2");
  auto expect_rejected = [&](const char* what, auto change) {
    CapturedRequest r = original;
    change(r);
    EXPECT_EQ(Failure(Verify(r)), AuthFailure::kInvalidSignature) << what;
  };
  expect_rejected("method", [](CapturedRequest& r) { r.method = "GET"; });
  expect_rejected("path", [](CapturedRequest& r) { r.path += "2"; });
  expect_rejected("path decoded", [](CapturedRequest& r) { r.path = "/v1/tags/arn:aws:batch:us-east-1:123456789012:job-queue/q1"; });
  expect_rejected("query value", [](CapturedRequest& r) { r.query = "tagKeys=k1&tagKeys=k3"; });
  expect_rejected("query added", [](CapturedRequest& r) { r.query += "&x=1"; });
  expect_rejected("body", [](CapturedRequest& r) { r.body = "{}"; });
  expect_rejected("host", [](CapturedRequest& r) { r.headers["host"] = "127.0.0.1:8766"; });
  expect_rejected("signature", [](CapturedRequest& r) {
    std::string& h = r.headers["authorization"];
    h.back() = h.back() == '0' ? '1' : '0';
  });
  expect_rejected("signed headers", [](CapturedRequest& r) {
    std::string& h = r.headers["authorization"];
    h.replace(h.find("host;x-amz-date"), 15, "host;user-agent;x-amz-date");
  });
}

TEST(SigV4VerifierTest, SignedHeaderValueChangedIsRejectedButWhitespaceIsNot) {
  CapturedRequest r = Captured("getlogevents.v2");
  r.headers["x-amz-target"] = "Logs_20140328.FilterLogEvents";
  EXPECT_EQ(Failure(Verify(r)), AuthFailure::kInvalidSignature);
  r = Captured("getlogevents.v2");
  r.headers["x-amz-target"] = "  Logs_20140328.GetLogEvents \t";
  r.headers["content-type"] = "application/x-amz-json-1.1 ";
  EXPECT_FALSE(Failure(Verify(r))) << Message(Verify(r));
}

TEST(SigV4VerifierTest, UnsignedHeadersMayChange) {
  CapturedRequest r = Captured("submitjob.v1");
  r.headers["user-agent"] = "something else";
  r.headers["amz-sdk-request"] = "attempt=2";
  r.headers["x-forwarded-for"] = "10.0.0.1";
  EXPECT_FALSE(Failure(Verify(r))) << Message(Verify(r));
}

TEST(SigV4VerifierTest, SessionTokenMustMatchTheKeys) {
  const CapturedRequest r = Captured("listsched_token.boto3");
  EXPECT_FALSE(Failure(Verify(r, Keys(kExampleSessionToken))));
  AuthResult wrong = Verify(r, Keys("another-token"));
  EXPECT_EQ(Failure(wrong), AuthFailure::kUnrecognizedClient);
  EXPECT_EQ(Message(wrong), "The security token included in the request is invalid.");
  EXPECT_EQ(Failure(Verify(r, Keys())), AuthFailure::kUnrecognizedClient);  // the key has no token
}

TEST(SigV4VerifierTest, KeyWithSessionTokenRejectsRequestsWithoutOne) {
  const CapturedRequest r = Captured("listtags.v1");
  EXPECT_EQ(Failure(Verify(r, Keys(kExampleSessionToken))), AuthFailure::kUnrecognizedClient);
}

TEST(SigV4VerifierTest, ContentSha256HeaderMustMatchTheBody) {
  CapturedRequest r = Captured("submitjob.v1");
  r.headers["x-amz-content-sha256"] = Sha256Hex(r.body);
  EXPECT_FALSE(Failure(Verify(r))) << Message(Verify(r));
  r.headers["x-amz-content-sha256"] = Sha256Hex("{}");
  EXPECT_EQ(Failure(Verify(r)), AuthFailure::kInvalidSignature);
  r.headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD";
  EXPECT_EQ(Failure(Verify(r)), AuthFailure::kInvalidSignature);
}

TEST(SigV4VerifierTest, DateHeaderServesWhenThereIsNoAmzDate) {
  CapturedRequest r = Captured("listtags.v1");
  r.headers.erase("x-amz-date");
  r.headers["date"] = "Fri, 27 Nov 2026 00:34:49 GMT";
  Resign(r, "date;host", "20261127/us-east-1/batch", "20261127T003449Z");
  EXPECT_FALSE(Failure(Verify(r))) << Message(Verify(r));
  r.headers["date"] = "Fri, 27 Nov 2026 00:34:50 GMT";
  EXPECT_EQ(Failure(Verify(r)), AuthFailure::kInvalidSignature);
}

TEST(SigV4VerifierTest, SignatureIsCheckedAgainstTheNamedKeyOnly) {
  CapturedRequest r = Captured("listtags.v1");
  std::string& h = r.headers["authorization"];
  h.replace(h.find("AKIDEXAMPLE"), 11, "OTHERKEY");
  EXPECT_EQ(Failure(Verify(r)), AuthFailure::kInvalidSignature);
}

}  // namespace
}  // namespace nightshift::auth
