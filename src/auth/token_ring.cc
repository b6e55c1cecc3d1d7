#include "auth/token_ring.h"

#include <utility>

namespace nightshift::auth {

void TokenRing::Put(ApiToken token) {
  std::string id = token.id;
  tokens_.insert_or_assign(std::move(id), std::move(token));
}

const ApiToken* TokenRing::Find(std::string_view id) const {
  auto it = tokens_.find(id);
  return it == tokens_.end() ? nullptr : &it->second;
}

ApiToken* TokenRing::FindMutable(std::string_view id) {
  auto it = tokens_.find(id);
  return it == tokens_.end() ? nullptr : &it->second;
}

bool TokenRing::HasActiveAdmin(TimeMs now) const {
  for (const auto& [id, token] : tokens_) {
    if (token.role == Role::kAdmin && token.active(now)) return true;
  }
  return false;
}

}  // namespace nightshift::auth
