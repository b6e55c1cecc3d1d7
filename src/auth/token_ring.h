// TokenRing: the API tokens a server knows, by id, as the engine keeps them in memory (loaded
// from the store, changed by token create/revoke and by their use).
// Thread-safety: none; the engine's loop owns it and the authenticator reads it on that loop.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "auth/api_token.h"

namespace nightshift::auth {

class TokenRing {
 public:
  // Inserts the token, or replaces the one with its id.
  void Put(ApiToken token);
  // The token with this id, or nullptr. Valid until the ring changes.
  const ApiToken* Find(std::string_view id) const;
  ApiToken* FindMutable(std::string_view id);
  // Whether an admin token is neither revoked nor expired at `now`.
  bool HasActiveAdmin(TimeMs now) const;
  // Every token, by id.
  const std::map<std::string, ApiToken, std::less<>>& all() const { return tokens_; }

 private:
  std::map<std::string, ApiToken, std::less<>> tokens_;
};

}  // namespace nightshift::auth
