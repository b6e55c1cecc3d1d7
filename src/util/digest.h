// Digests for signatures: SHA-256, HMAC-SHA256 (OpenSSL), lower-case hex, and a comparison whose
// time does not depend on where two strings differ. Webhook signatures and SigV4 both use them.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace nightshift {

// The 32 raw bytes of SHA-256(data).
std::string Sha256(std::string_view data);
// The 32 raw bytes of HMAC-SHA256(key, message).
std::string HmacSha256(std::string_view key, std::string_view message);
// Lower-case hex of `bytes` ("\x0b\xff" -> "0bff").
std::string HexEncode(std::string_view bytes);

inline std::string Sha256Hex(std::string_view data) { return HexEncode(Sha256(data)); }
inline std::string HmacSha256Hex(std::string_view key, std::string_view message) {
  return HexEncode(HmacSha256(key, message));
}

// a == b, in time that depends only on the lengths (for secrets and signatures).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace nightshift
