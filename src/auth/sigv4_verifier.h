// VerifySigV4: decides whether a request carries a valid AWS Signature Version 4 from one of the
// configured access keys, for the service its route belongs to, made within 15 minutes of now —
// and answers with the identity, or with the error AWS would send. Pure: `now` comes in.
// Thread-safety: a pure function; the KeyRing is only read.
#pragma once

#include <cstdint>
#include <string_view>

#include "auth/access_key.h"
#include "auth/identity.h"
#include "auth/sigv4.h"

namespace nightshift::auth {

// How far X-Amz-Date (or Date) may be from now, either way.
inline constexpr int64_t kMaxClockSkewSeconds = 15 * 60;

// `service` is the signing name the route expects ("batch", "scheduler", "logs"). Checks, in
// order: an Authorization header (kMissingToken); its syntax and an X-Amz-Date or Date header
// (kIncompleteSignature); the scope's date and service (kInvalidSignature); a known key
// (kUnrecognizedClient); the clock skew (kInvalidSignature "Signature expired: ..."); the session
// token the key is configured with, or none (kUnrecognizedClient); an x-amz-content-sha256
// header, if sent, against the body; the signature, compared in constant time (kInvalidSignature).
AuthResult VerifySigV4(const SignedRequest& request, std::string_view service, const KeyRing& keys,
                       int64_t now_unix_seconds);

}  // namespace nightshift::auth
