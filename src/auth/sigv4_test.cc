#include "auth/sigv4.h"

#include <gtest/gtest.h>

#include "auth/sigv4_test_vectors.h"
#include "util/digest.h"

namespace nightshift::auth {
namespace {

using testing::CapturedRequest;
using testing::CapturedRequests;
using testing::kExampleSecret;

SignedRequest View(const CapturedRequest& r) { return SignedRequest{r.method, r.path, r.query, r.headers, r.body}; }

SigV4Authorization ParsedFrom(const CapturedRequest& r) {
  Result<SigV4Authorization> auth = ParseAuthorization(r.headers.at("authorization"));
  EXPECT_TRUE(auth.ok()) << auth.status().message();
  return auth.ok() ? *auth : SigV4Authorization{};
}

TEST(SigV4Test, CanonicalRequestsMatchTheCapturedVectors) {
  for (const auto& [name, r] : CapturedRequests()) {
    const SigV4Authorization auth = ParsedFrom(r);
    EXPECT_EQ(CanonicalRequest(View(r), auth.signed_headers, Sha256Hex(r.body)), r.canonical_request) << name;
  }
}

TEST(SigV4Test, SigningKeysAndSignaturesMatchTheCapturedVectors) {
  for (const auto& [name, r] : CapturedRequests()) {
    const SigV4Authorization auth = ParsedFrom(r);
    EXPECT_EQ(HexEncode(SigningKey(kExampleSecret, auth.scope)), r.signing_key_hex) << name;
    EXPECT_EQ(Signature(kExampleSecret, r.headers.at("x-amz-date"), auth.scope, r.canonical_request), r.signature)
        << name;
  }
}

TEST(SigV4Test, AuthorizationHeaderIsWhatTheClientsSent) {
  for (const auto& [name, r] : CapturedRequests()) {
    const SigV4Authorization auth = ParsedFrom(r);
    EXPECT_EQ(AuthorizationHeader(View(r), auth.access_key_id, kExampleSecret, auth.scope, r.headers.at("x-amz-date"),
                                  auth.signed_headers),
              r.headers.at("authorization"))
        << name;
  }
}

TEST(SigV4Test, SigningKeyMatchesAwsPublishedExample) {
  EXPECT_EQ(HexEncode(SigningKey(kExampleSecret, {"20120215", "us-east-1", "iam"})),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

TEST(SigV4Test, GetVanillaFromAwsTestSuiteSignsAsPublished) {
  const std::map<std::string, std::string> headers = {{"host", "example.amazonaws.com"},
                                                      {"x-amz-date", "20150830T123600Z"}};
  const SignedRequest request{"GET", "/", "", headers, ""};
  const std::string canonical = CanonicalRequest(request, {"host", "x-amz-date"}, Sha256Hex(""));
  EXPECT_EQ(Signature(kExampleSecret, "20150830T123600Z", {"20150830", "us-east-1", "service"}, canonical),
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(SigV4Test, CanonicalPathIsEncodedTwiceAndEmptyPathIsSlash) {
  const std::map<std::string, std::string> headers = {{"host", "h"}};
  EXPECT_EQ(CanonicalRequest({"GET", "/a%2Fb c", "", headers, ""}, {"host"}, "x"), "GET\n/a%252Fb%20c\n\nhost:h\n\nhost\nx");
  EXPECT_EQ(CanonicalRequest({"GET", "", "", headers, ""}, {"host"}, "x"), "GET\n/\n\nhost:h\n\nhost\nx");
}

TEST(SigV4Test, CanonicalQuerySortsByNameThenValueAndReencodes) {
  const std::map<std::string, std::string> headers = {{"host", "h"}};
  EXPECT_EQ(CanonicalRequest({"GET", "/", "b=2&a=z&a=y&c&d=%7e+", headers, ""}, {"host"}, "x"),
            "GET\n/\na=y&a=z&b=2&c=&d=~%2B\nhost:h\n\nhost\nx");
}

TEST(SigV4Test, CanonicalHeadersTrimAndCollapseWhitespaceAndIncludeOnlySignedOnes) {
  const std::map<std::string, std::string> headers = {
      {"host", "h"}, {"x-a", "  one   two\t three  "}, {"user-agent", "not signed"}};
  EXPECT_EQ(CanonicalRequest({"GET", "/", "", headers, ""}, {"host", "x-a"}, "x"),
            "GET\n/\n\nhost:h\nx-a:one two three\n\nhost;x-a\nx");
}

TEST(SigV4Test, ParsesTheAuthorizationHeader) {
  Result<SigV4Authorization> auth = ParseAuthorization(
      "AWS4-HMAC-SHA256 Credential=AKID/20261127/eu-west-1/logs/aws4_request,SignedHeaders=host;x-amz-date,"
      "   Signature=" + std::string(64, 'a'));
  ASSERT_TRUE(auth.ok()) << auth.status().message();
  EXPECT_EQ(auth->access_key_id, "AKID");
  EXPECT_EQ(auth->scope.ToString(), "20261127/eu-west-1/logs/aws4_request");
  EXPECT_EQ(auth->signed_headers, (std::vector<std::string>{"host", "x-amz-date"}));
  EXPECT_EQ(auth->signature, std::string(64, 'a'));
}

std::string ParseError(std::string_view header) {
  Result<SigV4Authorization> auth = ParseAuthorization(header);
  return auth.ok() ? "parsed" : auth.status().message();
}

TEST(SigV4Test, RejectsMalformedAuthorizationHeadersWithAwsWords) {
  const std::string sig = ", Signature=" + std::string(64, '0');
  const std::string cred = "Credential=AKID/20261127/us-east-1/batch/aws4_request";
  EXPECT_NE(ParseError("Bearer abc").find("AWS4-HMAC-SHA256"), std::string::npos);
  EXPECT_NE(ParseError("AWS4-HMAC-SHA256X " + cred).find("AWS4-HMAC-SHA256"), std::string::npos);
  EXPECT_EQ(ParseError("AWS4-HMAC-SHA256 "),
            "Authorization header requires 'Credential' parameter. Authorization header requires 'SignedHeaders' "
            "parameter. Authorization header requires 'Signature' parameter.");
  EXPECT_EQ(ParseError("AWS4-HMAC-SHA256 " + cred + sig),
            "Authorization header requires 'SignedHeaders' parameter.");
  EXPECT_NE(ParseError("AWS4-HMAC-SHA256 Credential=AKID/20261127/us-east-1/batch, SignedHeaders=host" + sig)
                .find("exactly 5 slash-delimited"), std::string::npos);
  EXPECT_NE(ParseError("AWS4-HMAC-SHA256 Credential=AKID/20261127/us-east-1/batch/aws5, SignedHeaders=host" + sig)
                .find("valid terminator"), std::string::npos);
  EXPECT_NE(ParseError("AWS4-HMAC-SHA256 Credential=AKID/2026112/us-east-1/batch/aws4_request, SignedHeaders=host" + sig)
                .find("yyyymmdd"), std::string::npos);
  EXPECT_NE(ParseError("AWS4-HMAC-SHA256 Credential=/20261127/us-east-1/batch/aws4_request, SignedHeaders=host" + sig)
                .find("key id"), std::string::npos);
  EXPECT_NE(ParseError("AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=x-amz-date" + sig).find("'Host'"),
            std::string::npos);
  EXPECT_NE(ParseError("AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=Host;X-Amz-Date" + sig).find("lower-case"),
            std::string::npos);
  EXPECT_NE(ParseError("AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host;;x-amz-date" + sig).find("lower-case"),
            std::string::npos);
  EXPECT_NE(ParseError("AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host, Signature=ABC").find("64 lower-case hex"),
            std::string::npos);
  EXPECT_NE(ParseError("AWS4-HMAC-SHA256 " + cred + ", " + cred + ", SignedHeaders=host" + sig).find("twice"),
            std::string::npos);
  EXPECT_NE(ParseError("AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host, Foo=1" + sig).find("Unexpected"),
            std::string::npos);
  EXPECT_EQ(ParseError("AWS4-HMAC-SHA256 " + cred + ", SignedHeaders" + sig),
            "Authorization parameter without '=': 'SignedHeaders' (at offset 72)");
}

TEST(SigV4Test, ParsesAndFormatsDates) {
  EXPECT_EQ(*ParseAmzDate("20261127T003443Z"), 1795739683);
  EXPECT_EQ(FormatAmzDate(1795739683), "20261127T003443Z");
  EXPECT_EQ(FormatAmzDate(0), "19700101T000000Z");
  EXPECT_EQ(*ParseHttpDate("Fri, 27 Nov 2026 00:34:43 GMT"), 1795739683);
  EXPECT_EQ(*ParseAmzDate("20240229T235959Z"), *ParseHttpDate("Thu, 29 Feb 2024 23:59:59 GMT"));
  for (std::string_view bad : {"", "20261127T003443", "20261127 003443Z", "20260230T000000Z", "2026112TT003443Z",
                               "20261127T246060Z", "2026-1-27T00344Z", "+0261127T003443Z"}) {
    EXPECT_FALSE(ParseAmzDate(bad).ok()) << bad;
  }
  for (std::string_view bad : {"", "Fri, 27 Foo 2026 00:34:43 GMT", "Fri, 27 Nov 2026 00:34:43 UTC",
                               "Fri 27 Nov 2026 00:34:43 GMT", "Fri, 31 Nov 2026 00:34:43 GMT"}) {
    EXPECT_FALSE(ParseHttpDate(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace nightshift::auth
