// SigV4: the pieces of AWS Signature Version 4 (AWS4-HMAC-SHA256) as AWS computes them for
// Batch, Scheduler and Logs — the Authorization header's parser, the canonical request (the path
// percent-encoded once more, as non-S3 services do; query pairs sorted; only the signed headers,
// values trimmed and inner whitespace collapsed; the hashed body), the string to sign, the derived
// signing key and the signature. Pure: no I/O, no clock; times come in as Unix seconds.
// The verifier that puts them together is sigv4_verifier.h.
// Thread-safety: pure functions over plain values.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace nightshift::auth {

inline constexpr std::string_view kSigV4Algorithm = "AWS4-HMAC-SHA256";

// "<yyyymmdd>/<region>/<service>/aws4_request"
struct CredentialScope {
  std::string date;  // yyyymmdd
  std::string region;
  std::string service;  // the signing name: "batch", "scheduler", "logs"

  std::string ToString() const;
};

struct SigV4Authorization {
  std::string access_key_id;
  CredentialScope scope;
  std::vector<std::string> signed_headers;  // lower-case, in the order given (clients sort them)
  std::string signature;                    // 64 lower-case hex digits
};

// Parses "AWS4-HMAC-SHA256 Credential=ID/DATE/REGION/SERVICE/aws4_request,
// SignedHeaders=a;b;c, Signature=<hex>" (parameters separated by ',' with optional spaces).
// Errors: kInvalidArgument with a message in AWS's words, and the offset for syntax errors.
Result<SigV4Authorization> ParseAuthorization(std::string_view header);

// "20261127T003443Z" (ISO 8601 basic, UTC) -> Unix seconds. Errors: kInvalidArgument.
Result<int64_t> ParseAmzDate(std::string_view text);
// "Fri, 27 Nov 2026 00:34:43 GMT" (RFC 7231 IMF-fixdate) -> Unix seconds. Errors: kInvalidArgument.
Result<int64_t> ParseHttpDate(std::string_view text);
// Unix seconds -> "20261127T003443Z".
std::string FormatAmzDate(int64_t unix_seconds);

// A request exactly as received: path and query percent-encoded as on the wire.
struct SignedRequest {
  std::string_view method;
  std::string_view path;   // without the query
  std::string_view query;  // after '?', empty if none
  const std::map<std::string, std::string>& headers;  // names lower-case
  std::string_view body;
};

// The canonical request over the `signed_headers` (lower-case names) and the payload's hex
// SHA-256.
std::string CanonicalRequest(const SignedRequest& request, const std::vector<std::string>& signed_headers,
                             std::string_view payload_hash);
std::string StringToSign(std::string_view amz_date, const CredentialScope& scope, std::string_view canonical_request);
// The raw bytes of the key derived from `secret` for `scope` (the HMAC chain over date, region,
// service and "aws4_request").
std::string SigningKey(std::string_view secret, const CredentialScope& scope);
// Lower-case hex of HMAC-SHA256(SigningKey(secret, scope), StringToSign(...)).
std::string Signature(std::string_view secret, std::string_view amz_date, const CredentialScope& scope,
                      std::string_view canonical_request);

// The Authorization header a client sends with `request`, signed over its body and the
// `signed_headers` (lower-case, sorted; "host" and "x-amz-date" among them, carrying `amz_date`).
std::string AuthorizationHeader(const SignedRequest& request, std::string_view access_key_id, std::string_view secret,
                                const CredentialScope& scope, std::string_view amz_date,
                                const std::vector<std::string>& signed_headers);

}  // namespace nightshift::auth
