// Identity: who made a request (an access key, an API token, or nobody) and the role it acts in;
// Access: what an operation demands (anyone, or a role or one above it); and AuthError: why a
// request could not be authenticated, in the kinds AWS clients know.
// Roles are ordered: viewer < operator < admin; a role may do what the roles below it may.
// Thread-safety: plain values and pure functions.
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

// What an operation demands of its caller. Every route and AWS operation declares one;
// kUndeclared exists only so that a forgotten declaration is seen (tests) and refused (it
// demands admin).
enum class Access { kUndeclared, kPublic, kViewer, kOperator, kAdmin };

// "public", "viewer", "operator", "admin" ("undeclared" for kUndeclared).
const char* AccessName(Access access);
// The role an access demands; nullopt for kPublic. kUndeclared demands admin.
std::optional<Role> RequiredRole(Access access);

enum class CredentialKind { kNone, kAccessKey, kToken };

struct Identity {
  CredentialKind kind = CredentialKind::kNone;
  std::string id;  // the access key's id or the token's id; empty when anonymous
  Role role = Role::kAdmin;  // anonymous requests happen only with authentication off

  bool anonymous() const { return kind == CredentialKind::kNone; }
  // Who, as the audit log names it: the key's id, "token:ID", or "anonymous".
  std::string Actor() const;
};

// Whether `who` may call an operation that demands `access`.
bool Allows(Access access, const Identity& who);

// The AWS error each kind is answered with on AWS routes (api/aws_error.h maps them to HTTP
// statuses); the native routes answer every kind with 401.
enum class AuthFailure {
  kMissingToken,         // no Authorization at all: MissingAuthenticationTokenException
  kIncompleteSignature,  // Authorization present but malformed: IncompleteSignatureException
  kUnrecognizedClient,   // unknown key or token, wrong session token, expired or revoked token
  kInvalidSignature,     // wrong signature, scope or date; expired: InvalidSignatureException
};

struct AuthError {
  AuthFailure failure;
  std::string message;  // AWS's wording where AWS has one
  std::string claimed_id;  // the key or token id the request named, if any (for the audit log)
};

// An authenticated identity, or why there is none.
using AuthResult = std::variant<Identity, AuthError>;

}  // namespace nightshift::auth
