// Percent-encoding of URI paths and query strings (RFC 3986), as AWS clients write them: every
// byte except the unreserved A-Z a-z 0-9 - _ . ~ becomes %XX with upper-case hex.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace nightshift {

enum class KeepSlash { kNo, kYes };

// Percent-encodes `s`; with KeepSlash::kYes '/' stays as is (for whole paths).
std::string PercentEncode(std::string_view s, KeepSlash keep_slash = KeepSlash::kNo);
// Percent-decodes `s` ("%3A" -> ":"); '+' is kept as is. Invalid escapes are kept literally.
std::string PercentDecode(std::string_view s);

}  // namespace nightshift
