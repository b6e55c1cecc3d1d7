// Identity: who made a request (an access key's id, or nobody) and the role it acts in; and
// AuthError: why a request could not be authenticated, in the kinds AWS clients know.
// Roles are recorded here for the access checks that come later; nothing enforces them yet.
// Thread-safety: plain values.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace nightshift::auth {

enum class Role { kViewer, kOperator, kAdmin };

// "viewer", "operator", "admin", and back (nullopt for another word).
const char* RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);

struct Identity {
  std::string key_id;  // empty: anonymous (authentication is off, or the route is open)
  Role role = Role::kAdmin;

  bool anonymous() const { return key_id.empty(); }
};

// The AWS error each kind is answered with (api/aws_error.h maps them to HTTP statuses).
enum class AuthFailure {
  kMissingToken,         // no Authorization at all: MissingAuthenticationTokenException
  kIncompleteSignature,  // Authorization present but malformed: IncompleteSignatureException
  kUnrecognizedClient,   // unknown access key or wrong session token: UnrecognizedClientException
  kInvalidSignature,     // wrong signature, scope or date; expired: InvalidSignatureException
};

struct AuthError {
  AuthFailure failure;
  std::string message;  // AWS's wording where AWS has one
};

// An authenticated identity, or why there is none.
using AuthResult = std::variant<Identity, AuthError>;

}  // namespace nightshift::auth
