// Authenticator: the one place a request's identity is decided, called once per request before
// it is routed. With no access key configured, authentication is off and every request is
// anonymous (and may do everything, as before). With keys, a request to an AWS-compatible
// service must carry a valid SigV4 signature for that service. The native API is open for now:
// bearer tokens for it are checked here when they come.
// Thread-safety: const methods may be called from any thread; the Clock must allow that too.
#pragma once

#include <optional>
#include <string_view>
#include <utility>

#include "auth/access_key.h"
#include "auth/identity.h"
#include "auth/sigv4.h"
#include "util/clock.h"

namespace nightshift::auth {

class Authenticator {
 public:
  // `clock` must outlive the authenticator.
  Authenticator(KeyRing keys, const Clock& clock) : keys_(std::move(keys)), clock_(clock) {}

  bool enabled() const { return !keys_.empty(); }

  // `aws_service`: the SigV4 signing name of the AWS-compatible service the request is routed
  // to ("batch", "scheduler", "logs"); nullopt for the native API and open routes.
  AuthResult Authenticate(const SignedRequest& request, std::optional<std::string_view> aws_service) const;

 private:
  KeyRing keys_;
  const Clock& clock_;
};

}  // namespace nightshift::auth
