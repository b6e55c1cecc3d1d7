#include "auth/authenticator.h"

#include <strings.h>

#include "auth/sigv4_verifier.h"

namespace nightshift::auth {
namespace {

constexpr std::string_view kBearer = "Bearer ";

std::string_view AuthorizationOf(const SignedRequest& request) {
  auto it = request.headers.find("authorization");
  return it == request.headers.end() ? std::string_view() : std::string_view(it->second);
}

// The access key id an unverified SigV4 Authorization names, for the audit log of a refusal.
std::string ClaimedKeyId(std::string_view authorization) {
  Result<SigV4Authorization> parsed = ParseAuthorization(authorization);
  return parsed.ok() ? parsed->access_key_id : "";
}

}  // namespace

bool IsBearer(std::string_view authorization) {
  return authorization.size() >= kBearer.size() &&
         strncasecmp(authorization.data(), kBearer.data(), kBearer.size()) == 0;
}

AuthResult Authenticator::Authenticate(const SignedRequest& request, std::optional<std::string_view> aws_service) const {
  if (!enabled_) return Identity{};
  const std::string_view authorization = AuthorizationOf(request);
  if (IsBearer(authorization)) return AuthenticateBearer(authorization.substr(kBearer.size()));
  if (!aws_service && authorization.empty()) {
    return AuthError{AuthFailure::kMissingToken,
                     "this server requires credentials: send Authorization: Bearer <token> (see nightshift token "
                     "create), or sign the request with an access key (SigV4, service nightshift)"};
  }
  AuthResult result =
      VerifySigV4(request, aws_service.value_or(kNativeSigningName), keys_, clock_.NowMs() / 1000);
  if (auto* error = std::get_if<AuthError>(&result)) error->claimed_id = ClaimedKeyId(authorization);
  return result;
}

AuthResult Authenticator::AuthenticateBearer(std::string_view text) const {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  Result<PresentedToken> presented = ParseTokenText(text);
  if (!presented.ok()) {
    return AuthError{AuthFailure::kIncompleteSignature, "malformed bearer token: " + presented.status().message()};
  }
  const ApiToken* token = tokens_.Find(presented->id);
  if (std::optional<std::string> refusal = RefuseToken(token, *presented, clock_.NowMs())) {
    return AuthError{AuthFailure::kUnrecognizedClient, *refusal, "token:" + presented->id};
  }
  return Identity{CredentialKind::kToken, token->id, token->role};
}

}  // namespace nightshift::auth
