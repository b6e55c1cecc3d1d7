#include "auth/identity.h"

namespace nightshift::auth {

const char* RoleName(Role role) {
  switch (role) {
    case Role::kViewer: return "viewer";
    case Role::kOperator: return "operator";
    case Role::kAdmin: return "admin";
  }
  return "";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (Role role : {Role::kViewer, Role::kOperator, Role::kAdmin}) {
    if (name == RoleName(role)) return role;
  }
  return std::nullopt;
}

const char* AccessName(Access access) {
  switch (access) {
    case Access::kUndeclared: return "undeclared";
    case Access::kPublic: return "public";
    case Access::kViewer: return "viewer";
    case Access::kOperator: return "operator";
    case Access::kAdmin: return "admin";
  }
  return "";
}

std::optional<Role> RequiredRole(Access access) {
  switch (access) {
    case Access::kPublic: return std::nullopt;
    case Access::kViewer: return Role::kViewer;
    case Access::kOperator: return Role::kOperator;
    case Access::kUndeclared:
    case Access::kAdmin: break;
  }
  return Role::kAdmin;
}

std::string Identity::Actor() const {
  switch (kind) {
    case CredentialKind::kNone: break;
    case CredentialKind::kAccessKey: return id;
    case CredentialKind::kToken: return "token:" + id;
  }
  return "anonymous";
}

bool Allows(Access access, const Identity& who) {
  const std::optional<Role> needed = RequiredRole(access);
  return !needed || static_cast<int>(who.role) >= static_cast<int>(*needed);
}

}  // namespace nightshift::auth
