#include "auth/api_token.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "util/digest.h"
#include "util/secure_random.h"

namespace nightshift::auth {
namespace {

constexpr size_t kIdBytes = 8;
constexpr size_t kSecretBytes = 32;
constexpr TimeMs kMaxLifetimeMs = 100LL * 366 * 24 * 3600 * 1000;

bool IsLowerHex(std::string_view s, size_t length) {
  return s.size() == length && std::all_of(s.begin(), s.end(), [](char c) {
           return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

Result<MintedToken> MintToken(std::string name, Role role, TimeMs now, std::optional<TimeMs> expires_at) {
  Result<std::string> random = SecureRandomBytes(kIdBytes + kSecretBytes);
  if (!random.ok()) return random.status();
  const std::string hex = HexEncode(*random);
  MintedToken minted;
  minted.token.id = hex.substr(0, 2 * kIdBytes);
  const std::string secret = hex.substr(2 * kIdBytes);
  minted.token.name = std::move(name);
  minted.token.role = role;
  minted.token.secret_hash = HashTokenSecret(secret);
  minted.token.created_at = now;
  minted.token.expires_at = expires_at;
  minted.text = std::string(kTokenPrefix) + minted.token.id + "_" + secret;
  return minted;
}

Result<PresentedToken> ParseTokenText(std::string_view text) {
  if (text.substr(0, kTokenPrefix.size()) != kTokenPrefix) {
    return Status::InvalidArgument("a nightshift token starts with " + std::string(kTokenPrefix));
  }
  text.remove_prefix(kTokenPrefix.size());
  const size_t underscore = text.find('_');
  const std::string_view id = text.substr(0, underscore);
  if (underscore == std::string_view::npos || !IsLowerHex(id, 2 * kIdBytes)) {
    return Status::InvalidArgument("a nightshift token's id is 16 hex digits after nst_");
  }
  const std::string_view secret = text.substr(underscore + 1);
  if (!IsLowerHex(secret, 2 * kSecretBytes)) {
    return Status::InvalidArgument("the secret of token " + std::string(id) + " is not 64 hex digits");
  }
  return PresentedToken{std::string(id), std::string(secret)};
}

std::string HashTokenSecret(std::string_view secret) { return Sha256Hex(secret); }

std::optional<std::string> RefuseToken(const ApiToken* token, const PresentedToken& presented, TimeMs now) {
  if (token == nullptr) return "unknown token " + presented.id;
  if (!ConstantTimeEquals(HashTokenSecret(presented.secret), token->secret_hash)) {
    return "wrong secret for token " + presented.id;
  }
  if (token->revoked()) return "token " + presented.id + " has been revoked";
  if (token->expired(now)) return "token " + presented.id + " has expired";
  return std::nullopt;
}

Result<TimeMs> ParseTokenLifetime(std::string_view text) {
  const Status bad = Status::InvalidArgument("a lifetime is a number and a unit: 90s, 30m, 12h, 30d or 2w, not '" +
                                             std::string(text) + "'");
  if (text.size() < 2) return bad;
  int64_t count = 0;
  const char* end = text.data() + text.size() - 1;
  auto [stop, ec] = std::from_chars(text.data(), end, count);
  if (ec != std::errc() || stop != end || count <= 0) return bad;
  int64_t unit_ms = 0;
  switch (text.back()) {
    case 's': unit_ms = 1000; break;
    case 'm': unit_ms = 60'000; break;
    case 'h': unit_ms = 3'600'000; break;
    case 'd': unit_ms = 86'400'000; break;
    case 'w': unit_ms = 7 * 86'400'000LL; break;
    default: return bad;
  }
  if (count > kMaxLifetimeMs / unit_ms) return Status::InvalidArgument("a token lifetime is at most 100 years");
  return count * unit_ms;
}

}  // namespace nightshift::auth
