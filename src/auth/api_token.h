// API tokens: bearer credentials for the native API (and the AWS routes, for clients that cannot
// sign). A token's text is "nst_<id>_<secret>": the id (16 hex digits) names it in lists and in
// the audit log; the secret (64 hex digits, 256 random bits) is shown once, when the token is
// made, and only its SHA-256 is kept. A token has a role, may expire, and may be revoked.
// Thread-safety: plain values; the functions are pure except MintToken, which reads the secure
// random generator.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "auth/identity.h"
#include "util/clock.h"
#include "util/status.h"

namespace nightshift::auth {

inline constexpr std::string_view kTokenPrefix = "nst_";

struct ApiToken {
  std::string id;           // 16 lower-case hex digits
  std::string name;         // the creator's label; may be empty
  Role role = Role::kViewer;
  std::string secret_hash;  // lower-case hex SHA-256 of the secret
  TimeMs created_at = 0;
  std::optional<TimeMs> expires_at;
  std::optional<TimeMs> revoked_at;
  std::optional<TimeMs> last_used_at;  // to within kTokenUseResolutionMs

  bool expired(TimeMs now) const { return expires_at && now >= *expires_at; }
  bool revoked() const { return revoked_at.has_value(); }
  // Neither revoked nor expired at `now`.
  bool active(TimeMs now) const { return !revoked() && !expired(now); }
};

// How stale a token's last_used_at may be: a use within this of the recorded one is not written.
inline constexpr TimeMs kTokenUseResolutionMs = 60'000;

// A token just made: its record and its text, which is shown once and never stored.
struct MintedToken {
  ApiToken token;
  std::string text;
};

// Makes a token with a fresh id and secret. Errors: kInternal if the random generator fails.
Result<MintedToken> MintToken(std::string name, Role role, TimeMs now, std::optional<TimeMs> expires_at);

// A token's text split into its parts.
struct PresentedToken {
  std::string id;
  std::string secret;
};

// Parses "nst_<16 hex>_<64 hex>". Errors: kInvalidArgument saying what is wrong (never quoting
// the secret).
Result<PresentedToken> ParseTokenText(std::string_view text);

// Lower-case hex SHA-256 of a secret, as ApiToken::secret_hash holds it.
std::string HashTokenSecret(std::string_view secret);

// Why `presented` does not authenticate as `token` at `now` (nullptr `token`: no token has that
// id), or nullopt if it does. The secret is compared in constant time.
std::optional<std::string> RefuseToken(const ApiToken* token, const PresentedToken& presented, TimeMs now);

// A lifetime such as "30d", "12h", "90m", "3600s" or "2w", in milliseconds. Errors:
// kInvalidArgument for anything else, zero, or more than 100 years.
Result<TimeMs> ParseTokenLifetime(std::string_view text);

}  // namespace nightshift::auth
