#include "auth/sigv4_verifier.h"

#include <optional>

#include "util/digest.h"

namespace nightshift::auth {
namespace {

constexpr char kInvalidToken[] = "The security token included in the request is invalid.";
constexpr char kSignatureMismatch[] =
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access "
    "Key and signing method. Consult the service documentation for details.";

AuthError Fail(AuthFailure failure, std::string message) { return AuthError{failure, std::move(message)}; }

const std::string* FindHeader(const SignedRequest& request, const std::string& name) {
  auto it = request.headers.find(name);
  return it == request.headers.end() ? nullptr : &it->second;
}

// The request's signing time as "yyyymmddThhmmssZ" and Unix seconds, from X-Amz-Date or Date.
struct RequestTime {
  std::string amz_date;
  int64_t unix_seconds = 0;
};

std::variant<RequestTime, AuthError> ReadRequestTime(const SignedRequest& request) {
  if (const std::string* amz_date = FindHeader(request, "x-amz-date")) {
    Result<int64_t> t = ParseAmzDate(*amz_date);
    if (!t.ok()) return Fail(AuthFailure::kIncompleteSignature, t.status().message());
    return RequestTime{*amz_date, *t};
  }
  if (const std::string* date = FindHeader(request, "date")) {
    Result<int64_t> t = ParseHttpDate(*date);
    if (!t.ok()) return Fail(AuthFailure::kIncompleteSignature, t.status().message());
    return RequestTime{FormatAmzDate(*t), *t};
  }
  return Fail(AuthFailure::kIncompleteSignature,
              "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
}

std::optional<AuthError> CheckScope(const CredentialScope& scope, const RequestTime& time, std::string_view service) {
  if (scope.date != time.amz_date.substr(0, 8)) {
    return Fail(AuthFailure::kInvalidSignature,
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
                    scope.date + "' != '" + time.amz_date.substr(0, 8) + "', from '" + time.amz_date + "'.");
  }
  if (scope.service != service) {
    return Fail(AuthFailure::kInvalidSignature,
                "Credential should be scoped to correct service: '" + std::string(service) + "'.");
  }
  return std::nullopt;
}

std::optional<AuthError> CheckSkew(const RequestTime& time, int64_t now) {
  if (time.unix_seconds < now - kMaxClockSkewSeconds) {
    return Fail(AuthFailure::kInvalidSignature, "Signature expired: " + time.amz_date + " is now earlier than " +
                                                    FormatAmzDate(now - kMaxClockSkewSeconds) + " (" +
                                                    FormatAmzDate(now) + " - 15 min.)");
  }
  if (time.unix_seconds > now + kMaxClockSkewSeconds) {
    return Fail(AuthFailure::kInvalidSignature, "Signature not yet current: " + time.amz_date +
                                                    " is still later than " + FormatAmzDate(now + kMaxClockSkewSeconds) +
                                                    " (" + FormatAmzDate(now) + " + 15 min.)");
  }
  return std::nullopt;
}

// A key with a session token needs that token; a key without one accepts none.
std::optional<AuthError> CheckSessionToken(const SignedRequest& request, const AccessKey& key) {
  const std::string* token = FindHeader(request, "x-amz-security-token");
  const bool ok = key.session_token.empty() ? token == nullptr
                                            : token != nullptr && ConstantTimeEquals(*token, key.session_token);
  if (!ok) return Fail(AuthFailure::kUnrecognizedClient, kInvalidToken);
  return std::nullopt;
}

std::variant<std::string, AuthError> PayloadHash(const SignedRequest& request) {
  std::string hash = Sha256Hex(request.body);
  const std::string* claimed = FindHeader(request, "x-amz-content-sha256");
  if (claimed != nullptr && *claimed != hash) {
    return Fail(AuthFailure::kInvalidSignature,
                "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  return hash;
}

}  // namespace

AuthResult VerifySigV4(const SignedRequest& request, std::string_view service, const KeyRing& keys,
                       int64_t now_unix_seconds) {
  const std::string* header = FindHeader(request, "authorization");
  if (header == nullptr || header->empty()) return Fail(AuthFailure::kMissingToken, "Missing Authentication Token");
  Result<SigV4Authorization> auth = ParseAuthorization(*header);
  if (!auth.ok()) return Fail(AuthFailure::kIncompleteSignature, auth.status().message());
  std::variant<RequestTime, AuthError> time = ReadRequestTime(request);
  if (auto* error = std::get_if<AuthError>(&time)) return std::move(*error);
  const RequestTime& when = std::get<RequestTime>(time);
  if (auto error = CheckScope(auth->scope, when, service)) return std::move(*error);
  const AccessKey* key = keys.Find(auth->access_key_id);
  if (key == nullptr) return Fail(AuthFailure::kUnrecognizedClient, kInvalidToken);
  if (auto error = CheckSkew(when, now_unix_seconds)) return std::move(*error);
  if (auto error = CheckSessionToken(request, *key)) return std::move(*error);
  std::variant<std::string, AuthError> payload_hash = PayloadHash(request);
  if (auto* error = std::get_if<AuthError>(&payload_hash)) return std::move(*error);
  const std::string canonical = CanonicalRequest(request, auth->signed_headers, std::get<std::string>(payload_hash));
  if (!ConstantTimeEquals(Signature(key->secret, when.amz_date, auth->scope, canonical), auth->signature)) {
    return Fail(AuthFailure::kInvalidSignature, kSignatureMismatch);
  }
  return Identity{CredentialKind::kAccessKey, key->id, key->role};
}

}  // namespace nightshift::auth
