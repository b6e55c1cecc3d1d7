#include "auth/authenticator.h"

#include "auth/sigv4_verifier.h"

namespace nightshift::auth {

AuthResult Authenticator::Authenticate(const SignedRequest& request, std::optional<std::string_view> aws_service) const {
  if (!enabled() || !aws_service) return Identity{};
  return VerifySigV4(request, *aws_service, keys_, clock_.NowMs() / 1000);
}

}  // namespace nightshift::auth
