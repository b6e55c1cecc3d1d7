// Authenticator: the one place a request's identity is decided, called once per request before
// it is routed (open routes skip it). Authentication is off unless the server was configured
// with access keys or with `auth` on; then every request is anonymous and may do everything.
// When it is on:
//   * an AWS-compatible route takes a SigV4 signature made with a configured access key for its
//     service, or `Authorization: Bearer <API token>` (for clients that cannot sign);
//   * a native route takes a bearer token, or a SigV4 signature for the signing name
//     "nightshift" (so that access keys reach the native API too).
// Thread-safety: call on the thread that owns the TokenRing (the engine's loop); the Clock must
// allow that too.
#pragma once

#include <optional>
#include <string_view>
#include <utility>

#include "auth/access_key.h"
#include "auth/identity.h"
#include "auth/sigv4.h"
#include "auth/token_ring.h"
#include "util/clock.h"

namespace nightshift::auth {

// The SigV4 signing name (credential scope service) of the native API.
inline constexpr std::string_view kNativeSigningName = "nightshift";

// "Bearer <token>" (the scheme in any case), as an Authorization header carries a token.
bool IsBearer(std::string_view authorization);

class Authenticator {
 public:
  // `tokens` and `clock` must outlive the authenticator. `enabled` is forced on by keys.
  Authenticator(KeyRing keys, const TokenRing& tokens, bool enabled, const Clock& clock)
      : keys_(std::move(keys)), tokens_(tokens), enabled_(enabled || !keys_.empty()), clock_(clock) {}

  bool enabled() const { return enabled_; }

  // `aws_service`: the SigV4 signing name of the AWS-compatible service the request is routed
  // to ("batch", "scheduler", "logs"); nullopt for the native API.
  AuthResult Authenticate(const SignedRequest& request, std::optional<std::string_view> aws_service) const;

 private:
  AuthResult AuthenticateBearer(std::string_view authorization) const;

  KeyRing keys_;
  const TokenRing& tokens_;
  bool enabled_;
  const Clock& clock_;
};

}  // namespace nightshift::auth
